"""The offers worker counts, per batch, the offers each sync inserted, updated and deleted, and logs
one summary line per batch (each product's own line is DEBUG: hundreds of products stay readable)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from shopfloor.catalog.sync import worker as worker_module
from shopfloor.catalog.sync.worker import OFFERS_DELETED, OFFERS_INSERTED, OFFERS_UPDATED, OffersWorker
from tests.helpers.metrics import forget, pending
from tests.unit.catalog.sync.test_sync import (
    OFFER_A,
    OFFER_B,
    OFFER_C,
    FakeOffersService,
    add_product,
    batch,
    build_worker,
    sync_message,
)


@pytest.fixture(autouse=True)
def _no_metrics_left_over() -> Iterator[None]:
    forget()
    yield
    forget()


@pytest.fixture
def service() -> FakeOffersService:
    return FakeOffersService()


@pytest.fixture
def worker(service: FakeOffersService) -> OffersWorker:
    return build_worker(service)


def _second_sync(worker: OffersWorker, service: FakeOffersService) -> dict[str, list[float]]:
    """Product 1 first has offers A and B; then A's price changes, B is gone and C is new."""
    offers_id = add_product(1)
    service.set(offers_id, (OFFER_A, 100, 3), (OFFER_B, 80, 2))
    worker.handle(batch(sync_message(1, offers_id)))
    forget()
    service.set(offers_id, (OFFER_A, 90, 3), (OFFER_C, 120, 1))
    worker.handle(batch(sync_message(1, offers_id)))
    return pending()


def test_a_batch_counts_the_offers_it_inserted(worker: OffersWorker, service: FakeOffersService) -> None:
    one, two = add_product(1), add_product(2)
    service.set(one, (OFFER_A, 100, 3), (OFFER_B, 80, 2))
    service.set(two, (OFFER_C, 50, 1))

    worker.handle(batch(sync_message(1, one), sync_message(2, two)))

    assert pending()[OFFERS_INSERTED] == [3]


def test_a_batch_counts_the_offers_it_updated(worker: OffersWorker, service: FakeOffersService) -> None:
    assert _second_sync(worker, service)[OFFERS_UPDATED] == [1]


def test_a_batch_counts_the_offers_it_deleted(worker: OffersWorker, service: FakeOffersService) -> None:
    assert _second_sync(worker, service)[OFFERS_DELETED] == [1]


def test_a_batch_logs_one_summary_at_info_and_each_product_at_debug(
    worker: OffersWorker, service: FakeOffersService, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines: list[tuple[str, str, Any]] = []
    for level in ("debug", "info"):
        monkeypatch.setattr(
            worker_module.logger,
            level,
            lambda message, *args, level=level, **kwargs: lines.append((level, message, kwargs.get("extra"))),
        )
    ids = {product_id: add_product(product_id) for product_id in (1, 2, 3)}
    for offers_id in ids.values():
        service.set(offers_id, (OFFER_A, 100, 3))

    worker.handle(batch(*(sync_message(product_id, ids[product_id]) for product_id in (1, 2, 3)), "not json"))

    assert [line for line in lines if line[0] == "info" and line[1] == "Offers sync batch"] == [
        (
            "info",
            "Offers sync batch",
            {"products": 4, "inserted": 3, "updated": 0, "deleted": 0, "purged": 0, "failed": 1},
        )
    ]
    assert [(level, message) for level, message, _ in lines if message == "Offers synced"] == [
        ("debug", "Offers synced")
    ] * 3
