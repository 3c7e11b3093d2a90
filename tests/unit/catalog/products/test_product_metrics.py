"""The products function counts the products it creates (Powertools Metrics, printed as EMF)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shopfloor.catalog.products.service import PRODUCTS_CREATED
from tests.helpers.handlers import HandlerClient
from tests.helpers.metrics import emitted, forget
from tests.unit.catalog.fakes import FakeRegistrar


@pytest.fixture(autouse=True)
def _no_metrics_left_over() -> Iterator[None]:
    forget()
    yield
    forget()


def test_a_product_created_is_counted_once_and_a_refused_one_not_at_all(
    products: HandlerClient, registrar: FakeRegistrar, capsys: pytest.CaptureFixture[str]
) -> None:
    created = products.post("/products", body={"name": "Kettle", "description": "1.7 litres"})
    after_create = emitted(capsys.readouterr().out)
    registrar.failing = True
    refused = products.post("/products", body={"name": "Toaster"})

    assert created.status == 201
    assert after_create[PRODUCTS_CREATED] == [1]
    assert refused.status == 503
    assert PRODUCTS_CREATED not in emitted(capsys.readouterr().out)
