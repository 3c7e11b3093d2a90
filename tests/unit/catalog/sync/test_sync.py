"""The offers worker and dispatcher on moto, with the offers service replaced by a fake."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from shopfloor.catalog.errors import NotRegisteredError, OffersServiceError
from shopfloor.catalog.models import ALL_OFFERS, OfferModel, PriceHistoryModel, ProductModel
from shopfloor.catalog.offers_service.client import RemoteOffer
from shopfloor.catalog.products.dynamodb import DynamoProductRepository
from shopfloor.catalog.sync import store as offers_store
from shopfloor.catalog.sync.dispatch import Dispatcher
from shopfloor.catalog.sync.reconcile import Offer
from shopfloor.catalog.sync.store import OffersStore, to_offers
from shopfloor.catalog.sync.worker import OffersWorker
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


def build_store() -> OffersStore:
    return OffersStore(
        bind(ProductModel, TABLE_NAMES["products"]),
        bind(OfferModel, TABLE_NAMES["offers"]),
        bind(PriceHistoryModel, TABLE_NAMES["price-history"]),
        history_days=30,
    )


def build_worker(service: FakeOffersService) -> OffersWorker:
    names = DynamoProductRepository(bind(ProductModel, TABLE_NAMES["products"])).name_and_description
    return OffersWorker(build_store(), service, names, lambda: NOW)


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
    """Every offer stored for the product (all in its one offers item)."""
    offers = {}
    for item in bind(OfferModel, TABLE_NAMES["offers"]).query(product_id):
        assert item.offer_id == ALL_OFFERS
        offers.update({offer.id: (offer.price, offer.items_in_stock) for offer in to_offers(item)})
    return offers


def history(product_id: int) -> list[tuple[str, Any, Any]]:
    """Every change recorded for the product: (kind, price, items in stock)."""
    recorded: list[tuple[str, Any, Any]] = []
    for item in bind(PriceHistoryModel, TABLE_NAMES["price-history"]).query(product_id):
        if item.changes is None:
            recorded.append((item.entry.split("#")[0], item.price, item.items_in_stock))
        else:
            recorded += [("offer", change["price"], change["items_in_stock"]) for change in item.changes]
    return recorded


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

    assert calls["dynamodb.BatchGetItem"] == 1
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


def test_a_batch_reads_its_held_offers_once_and_writes_its_changes_in_one_transaction(
    worker: OffersWorker, service: FakeOffersService
) -> None:
    ids = {product_id: add_product(product_id) for product_id in (1, 2, 3)}
    for product_id, offers_id in ids.items():
        service.set(offers_id, (OFFER_A, 100 * product_id, product_id))

    with counting_aws_calls() as calls:
        response = worker.handle(batch(*(sync_message(n, offers_id) for n, offers_id in ids.items())))

    assert response == {"batchItemFailures": []}
    assert (calls["dynamodb.BatchGetItem"], calls["dynamodb.TransactWriteItems"]) == (1, 1)
    assert dynamodb_writes(calls) == 1
    assert {n: held(n) for n in ids} == {n: {OFFER_A: (100 * n, n)} for n in ids}
    assert all(("offer", 100 * n, n) in history(n) for n in ids)


def test_a_product_deleted_in_flight_keeps_no_offers_and_the_rest_of_its_batch_is_written(
    worker: OffersWorker, service: FakeOffersService
) -> None:
    ids = {product_id: add_product(product_id) for product_id in (1, 2, 3)}
    for offers_id in ids.values():
        service.set(offers_id, (OFFER_A, 100, 3))
    bind(ProductModel, TABLE_NAMES["products"])(2).delete()

    response = worker.handle(batch(*(sync_message(n, offers_id) for n, offers_id in ids.items())))

    assert response == {"batchItemFailures": []}
    assert (held(1), held(2), held(3)) == ({OFFER_A: (100, 3)}, {}, {OFFER_A: (100, 3)})
    assert history(2) == []


def test_a_write_refused_for_one_product_fails_that_product_alone(
    worker: OffersWorker, service: FakeOffersService, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = add_product(1), add_product(2)
    service.set(first, (OFFER_A, 100, 3))
    service.set(second, (OFFER_B, 50, 1))
    client = aws.client("dynamodb")
    transact_write_items = client.transact_write_items

    def refusing_product_2(**request: Any) -> Any:
        written = [
            action.get("Put", {}).get("Item", {}).get("product_id") for action in request["TransactItems"]
        ]
        if {"N": "2"} in written:
            raise ClientError(
                {"Error": {"Code": "ValidationException", "Message": "no"}}, "TransactWriteItems"
            )
        return transact_write_items(**request)

    monkeypatch.setattr(client, "transact_write_items", refusing_product_2)

    response = worker.handle(batch(sync_message(1, first), sync_message(2, second)))

    assert response == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert (held(1), held(2)) == ({OFFER_A: (100, 3)}, {})


def test_a_batch_whose_write_is_throttled_fails_whole_and_is_not_retried_product_by_product(
    worker: OffersWorker, service: FakeOffersService, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = add_product(1), add_product(2)
    service.set(first, (OFFER_A, 100, 3))
    service.set(second, (OFFER_B, 50, 1))
    calls: list[Any] = []

    def throttled(**request: Any) -> Any:
        calls.append(request)
        raise ClientError(
            {"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "TransactWriteItems"
        )

    monkeypatch.setattr(aws.client("dynamodb"), "transact_write_items", throttled)

    response = worker.handle(batch(sync_message(1, first), sync_message(2, second)))

    assert response == {"batchItemFailures": [{"itemIdentifier": "m0"}, {"itemIdentifier": "m1"}]}
    assert len(calls) == 1
    assert (held(1), held(2)) == ({}, {})


def test_a_product_twice_in_a_batch_is_synced_once_then_found_unchanged(
    worker: OffersWorker, service: FakeOffersService
) -> None:
    offers_id = add_product(1)
    service.set(offers_id, (OFFER_A, 100, 3))

    response = worker.handle(batch(sync_message(1, offers_id), sync_message(1, offers_id)))

    assert response == {"batchItemFailures": []}
    assert held(1) == {OFFER_A: (100, 3)}
    assert sorted(history(1), key=str) == sorted([("offer", 100, 3), ("cheapest", 100, None)], key=str)


def test_a_product_with_more_offers_than_its_item_may_hold_fails_alone(
    worker: OffersWorker, service: FakeOffersService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(offers_store, "MAX_OFFERS", 2)
    first, second = add_product(1), add_product(2)
    service.set(first, (OFFER_A, 100, 3), (OFFER_B, 90, 1), (OFFER_C, 80, 2))
    service.set(second, (OFFER_A, 100, 3))

    response = worker.handle(batch(sync_message(1, first), sync_message(2, second)))

    assert response == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert (held(1), held(2)) == ({}, {OFFER_A: (100, 3)})


def test_held_offers_are_read_a_hundred_products_to_a_call() -> None:
    offers = bind(OfferModel, TABLE_NAMES["offers"])
    for product_id in range(1, 151):
        offers(
            product_id,
            ALL_OFFERS,
            offers={OFFER_A: {"price": product_id, "items_in_stock": 1}},
            updated_at="",
        ).save()
    store = build_store()

    with counting_aws_calls() as calls:
        found = store.held_offers(range(1, 152))

    assert calls["dynamodb.BatchGetItem"] == 2
    assert found[150] == [Offer(id=OFFER_A, price=150, items_in_stock=1)]
    assert found[151] == []
    assert len(found) == 151


def test_held_offers_left_unread_by_dynamodb_are_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    bind(OfferModel, TABLE_NAMES["offers"])(
        1, ALL_OFFERS, offers={OFFER_A: {"price": 100, "items_in_stock": 3}}, updated_at=""
    ).save()
    monkeypatch.setattr(offers_store, "UNPROCESSED_BACKOFF_SECONDS", 0)
    client = aws.client("dynamodb")
    batch_get_item = client.batch_get_item
    requests: list[Any] = []

    def throttled_once(**request: Any) -> Any:
        requests.append(request)
        if len(requests) == 1:
            return {"Responses": {}, "UnprocessedKeys": request["RequestItems"]}
        return batch_get_item(**request)

    monkeypatch.setattr(client, "batch_get_item", throttled_once)

    assert build_store().held_offers([1]) == {1: [Offer(id=OFFER_A, price=100, items_in_stock=3)]}
    assert len(requests) == 2


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
