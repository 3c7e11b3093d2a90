"""The offers worker and dispatcher on moto, with the offers service replaced by a fake."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from shopfloor.catalog.dispatch import Dispatcher
from shopfloor.catalog.dynamodb import DynamoProductRepository
from shopfloor.catalog.errors import NotRegisteredError, OffersServiceError
from shopfloor.catalog.models import OfferModel, PriceHistoryModel, ProductModel
from shopfloor.catalog.offers_client import RemoteOffer
from shopfloor.catalog.offers_store import OffersStore
from shopfloor.catalog.sync import OffersWorker
from shopfloor.platform import aws
from shopfloor.platform.tables import bind
from tests.helpers.aws_calls import counting_aws_calls, dynamodb_writes
from tests.helpers.events import sqs_event
from tests.unit.conftest import TABLE_NAMES

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
OFFER_A, OFFER_B, OFFER_C = (str(uuid.UUID(int=n)) for n in (1, 2, 3))


class FakeOffersService:
    def __init__(self) -> None:
        self.offers_by_product: dict[uuid.UUID, list[RemoteOffer]] = {}
        self.failing: dict[uuid.UUID, OffersServiceError] = {}
        self.registered: list[uuid.UUID] = []

    def register(self, product_uuid: uuid.UUID, name: str, description: str | None) -> None:
        self.registered.append(product_uuid)
        self.offers_by_product.setdefault(product_uuid, [])

    def offers(self, product_uuid: uuid.UUID) -> list[RemoteOffer]:
        if product_uuid in self.failing:
            raise self.failing[product_uuid]
        return self.offers_by_product[product_uuid]

    def set(self, product_uuid: uuid.UUID, *offers: tuple[str, int, int]) -> None:
        self.offers_by_product[product_uuid] = [
            RemoteOffer(id=uuid.UUID(offer_id), price=price, items_in_stock=stock)
            for offer_id, price, stock in offers
        ]


@pytest.fixture
def service() -> FakeOffersService:
    return FakeOffersService()


def build_worker(service: FakeOffersService) -> OffersWorker:
    products = bind(ProductModel, TABLE_NAMES["products"])
    store = OffersStore(
        products,
        bind(OfferModel, TABLE_NAMES["offers"]),
        bind(PriceHistoryModel, TABLE_NAMES["price-history"]),
        history_days=30,
    )
    return OffersWorker(store, service, DynamoProductRepository(products).name_and_description, lambda: NOW)


@pytest.fixture
def worker(service: FakeOffersService) -> OffersWorker:
    return build_worker(service)


def add_product(product_id: int, *, registered: bool = True) -> uuid.UUID:
    offers_id = uuid.uuid4()
    bind(ProductModel, TABLE_NAMES["products"])(
        product_id, name=f"product {product_id}", offers_id=str(offers_id), registered=registered
    ).save()
    return offers_id


def batch(*messages: dict[str, Any] | str) -> dict[str, Any]:
    return sqs_event(*(message if isinstance(message, str) else json.dumps(message) for message in messages))


def sync_message(product_id: int, offers_id: uuid.UUID, registered: bool = True) -> dict[str, Any]:
    return {"product_id": product_id, "offers_id": str(offers_id), "registered": registered}


def held(product_id: int) -> dict[str, tuple[int, int]]:
    return {
        item.offer_id: (int(item.price), int(item.items_in_stock))
        for item in bind(OfferModel, TABLE_NAMES["offers"]).query(product_id)
    }


def history(product_id: int) -> list[tuple[str, Any, Any]]:
    return [
        (item.entry.split("#")[0], item.price, item.items_in_stock)
        for item in bind(PriceHistoryModel, TABLE_NAMES["price-history"]).query(product_id)
    ]


def test_a_first_sync_caches_the_offers_and_records_their_history(
    worker: OffersWorker, service: FakeOffersService
) -> None:
    offers_id = add_product(1)
    service.set(offers_id, (OFFER_A, 100, 3), (OFFER_B, 80, 0))

    response = worker.handle(batch(sync_message(1, offers_id)))

    assert response == {"batchItemFailures": []}
    assert held(1) == {OFFER_A: (100, 3), OFFER_B: (80, 0)}
    assert sorted(history(1), key=str) == sorted(
        [("offer", 100, 3), ("offer", 80, 0), ("cheapest", 100, None)], key=str
    )


def test_a_sync_with_nothing_changed_writes_nothing(service: FakeOffersService) -> None:
    offers_id = add_product(1)
    service.set(offers_id, (OFFER_A, 100, 3))
    build_worker(service).handle(batch(sync_message(1, offers_id)))

    with counting_aws_calls() as calls:
        build_worker(service).handle(batch(sync_message(1, offers_id)))

    assert calls["dynamodb.Query"] == 1
    assert dynamodb_writes(calls) == 0


def test_changed_offers_are_updated_and_vanished_ones_deleted(
    worker: OffersWorker, service: FakeOffersService
) -> None:
    offers_id = add_product(1)
    service.set(offers_id, (OFFER_A, 100, 3), (OFFER_B, 80, 2))
    worker.handle(batch(sync_message(1, offers_id)))
    service.set(offers_id, (OFFER_A, 90, 3), (OFFER_C, 120, 1))

    worker.handle(batch(sync_message(1, offers_id)))

    assert held(1) == {OFFER_A: (90, 3), OFFER_C: (120, 1)}
    assert ("offer", 80, 0) in history(1)  # B sold out


def test_a_product_deleted_while_its_message_was_in_flight_keeps_no_offers(
    worker: OffersWorker, service: FakeOffersService
) -> None:
    offers_id = add_product(1)
    service.set(offers_id, (OFFER_A, 100, 3))
    bind(ProductModel, TABLE_NAMES["products"])(1).delete()

    response = worker.handle(batch(sync_message(1, offers_id)))

    assert response == {"batchItemFailures": []}
    assert held(1) == {}
    assert history(1) == []


def test_a_failing_product_fails_alone_and_keeps_its_cached_offers(
    worker: OffersWorker, service: FakeOffersService
) -> None:
    first, second = add_product(1), add_product(2)
    service.set(first, (OFFER_A, 100, 3))
    service.set(second, (OFFER_B, 50, 1))
    worker.handle(batch(sync_message(1, first), sync_message(2, second)))
    service.set(first, (OFFER_A, 999, 3))
    service.set(second, (OFFER_B, 55, 1))
    service.failing[first] = OffersServiceError("offers answered 503")

    response = worker.handle(batch(sync_message(1, first), sync_message(2, second)))

    assert response == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert held(1) == {OFFER_A: (100, 3)}
    assert held(2) == {OFFER_B: (55, 1)}


def test_a_product_the_service_does_not_know_fails_and_is_registered_by_the_next_cycle(
    worker: OffersWorker, service: FakeOffersService
) -> None:
    offers_id = add_product(1)
    service.failing[offers_id] = NotRegisteredError("404")

    response = worker.handle(batch(sync_message(1, offers_id)))

    assert response == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert bind(ProductModel, TABLE_NAMES["products"]).get(1).registered is False


def test_an_unregistered_product_is_registered_then_synced(
    worker: OffersWorker, service: FakeOffersService
) -> None:
    offers_id = add_product(1, registered=False)

    response = worker.handle(batch(sync_message(1, offers_id, registered=False)))

    assert response == {"batchItemFailures": []}
    assert service.registered == [offers_id]
    assert bind(ProductModel, TABLE_NAMES["products"]).get(1).registered is True


def test_a_purge_message_removes_a_deleted_products_offers_and_history(
    worker: OffersWorker, service: FakeOffersService
) -> None:
    offers_id = add_product(1)
    service.set(offers_id, (OFFER_A, 100, 3))
    worker.handle(batch(sync_message(1, offers_id)))
    bind(ProductModel, TABLE_NAMES["products"])(1).delete()

    response = worker.handle(batch({"product_id": 1, "purge": True}))

    assert response == {"batchItemFailures": []}
    assert held(1) == {}
    assert history(1) == []


def test_a_message_that_is_not_a_sync_message_fails(worker: OffersWorker) -> None:
    response = worker.handle(batch("not json", {"product": "x"}))

    assert response == {"batchItemFailures": [{"itemIdentifier": "m0"}, {"itemIdentifier": "m1"}]}


def test_the_dispatcher_sends_one_message_per_product_ten_at_a_time(sync_queue: str) -> None:
    ids = {product_id: add_product(product_id, registered=product_id % 2 == 0) for product_id in range(1, 26)}
    products = DynamoProductRepository(bind(ProductModel, TABLE_NAMES["products"]))

    with counting_aws_calls() as calls:
        result = Dispatcher(products.sync_targets, aws.client("sqs"), sync_queue).run()

    assert (result.products, result.messages_sent, result.messages_failed) == (25, 25, 0)
    assert calls["sqs.SendMessageBatch"] == 3
    received = []
    sqs = boto3.client("sqs")
    while batch := sqs.receive_message(QueueUrl=sync_queue, MaxNumberOfMessages=10).get("Messages", []):
        received += [json.loads(message["Body"]) for message in batch]
        sqs.delete_message_batch(
            QueueUrl=sync_queue,
            Entries=[{"Id": m["MessageId"], "ReceiptHandle": m["ReceiptHandle"]} for m in batch],
        )
    assert sorted(message["product_id"] for message in received) == list(range(1, 26))
    assert all(message["offers_id"] == str(ids[message["product_id"]]) for message in received)
    assert all(message["registered"] == (message["product_id"] % 2 == 0) for message in received)
