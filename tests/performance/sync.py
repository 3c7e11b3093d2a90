"""Offers sync throughput: 1,000 products against the local offers service at 20 ms a call.

Our sync: SQS-sized batches of 10, each handled by an offers-worker whose fetches run
concurrently, five batches at a time (the event source's maximum concurrency), as in AWS.
The baseline: the seed implementations' loop, one product at a time, replacing every offer.
Both run in the same process against the same DynamoDB Local and the same offers service.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from infra.local.offers_service import Faults, OffersServer, OffersService
from shopfloor.catalog.models import OfferModel, PriceHistoryModel, ProductModel
from shopfloor.catalog.offers_service.client import OffersServiceClient, new_session, request_access_token
from shopfloor.catalog.offers_service.tokens import SharedAccessToken, TokenModel
from shopfloor.catalog.products.dynamodb import DynamoProductRepository
from shopfloor.catalog.sync.messages import SQS_BATCH, SyncMessage
from shopfloor.catalog.sync.store import OffersStore
from shopfloor.catalog.sync.worker import OffersWorker
from shopfloor.platform import aws
from shopfloor.platform.clock import utc_now
from shopfloor.platform.tables import bind
from tests.helpers.aws_calls import counting_aws_calls, dynamodb_writes
from tests.helpers.events import sqs_event

PRODUCTS = 1000
LATENCY_MS = 20
CONCURRENT_BATCHES = 5
REFRESH_TOKEN = "bench-refresh-token"


class SeedOfferModel(Model):
    """The seed implementations' offers, which the baseline keeps: one item per offer."""

    class Meta:
        table_name = "offers"

    product_id = NumberAttribute(hash_key=True)
    offer_id = UnicodeAttribute(range_key=True)
    price = NumberAttribute()
    items_in_stock = NumberAttribute()
    updated_at = UnicodeAttribute()


@dataclass(frozen=True)
class Cycle:
    label: str
    seconds: float
    writes: int  # DynamoDB write calls
    items: int  # items they put, updated or deleted
    failures: int


@contextmanager
def counting_items_written() -> Iterator[list[int]]:
    """Items put, updated or deleted through the container's DynamoDB client, whatever the calls
    that carry them (a transaction or a batch writes many): counted from each call's parameters."""
    written = [0]
    lock = threading.Lock()

    def count(params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name == "TransactWriteItems":
            items = sum(1 for action in params["TransactItems"] if "ConditionCheck" not in action)
        elif model.name == "BatchWriteItem":
            items = sum(len(requests) for requests in params["RequestItems"].values())
        else:
            items = int(model.name in ("PutItem", "UpdateItem", "DeleteItem"))
        with lock:
            written[0] += items

    events = aws.client("dynamodb").meta.events
    events.register("before-parameter-build.dynamodb", count)
    try:
        yield written
    finally:
        events.unregister("before-parameter-build.dynamodb", count)


class Bench:
    def __init__(self, table_names: dict[str, str]) -> None:
        self.service = OffersService(refresh_token=REFRESH_TOKEN, tick_seconds=0, faults=Faults(latency_ms=0))
        self.server = OffersServer("127.0.0.1", 0, self.service)
        self.table_names = table_names
        self.tokens = bind(TokenModel, table_names["tokens"])

    def __enter__(self) -> Bench:
        self.server.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.stop()

    def client(self) -> OffersServiceClient:
        session = new_session()
        tokens = SharedAccessToken(
            self.tokens, lambda: request_access_token(session, self.server.url, REFRESH_TOKEN)
        )
        return OffersServiceClient(self.server.url, tokens, session)

    def seed(self) -> list[SyncMessage]:
        client = self.client()
        messages = []
        products = bind(ProductModel, self.table_names["products"])
        with products.batch_write() as batch:
            for product_id in range(1, PRODUCTS + 1):
                offers_id = uuid.uuid4()
                client.register(offers_id, f"product {product_id}", None)
                batch.save(
                    products(
                        product_id, name=f"product {product_id}", offers_id=str(offers_id), registered=True
                    )
                )
                messages.append(SyncMessage(product_id=product_id, offers_id=str(offers_id), registered=True))
        self.service.control({"latency_ms": LATENCY_MS})
        return messages

    def worker(self) -> OffersWorker:
        """A container's worker: its own model bindings, so its own DynamoDB client (counted)."""
        products = bind(ProductModel, self.table_names["products"])
        offers = bind(OfferModel, self.table_names["offers"])
        history = bind(PriceHistoryModel, self.table_names["price-history"])
        store = OffersStore(products, offers, history, history_days=30)
        names = DynamoProductRepository(products).name_and_description
        return OffersWorker(store, self.client(), names, utc_now)

    def our_cycle(self, label: str, messages: list[SyncMessage]) -> Cycle:
        with counting_aws_calls() as calls, counting_items_written() as items:
            workers = [self.worker() for _ in range(CONCURRENT_BATCHES)]
            batches = [
                sqs_event(*(message.model_dump_json() for message in messages[start : start + SQS_BATCH]))
                for start in range(0, len(messages), SQS_BATCH)
            ]
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=CONCURRENT_BATCHES) as pool:
                responses = list(pool.map(_round_robin(workers), batches))
            seconds = time.perf_counter() - started
        failures = sum(len(response["batchItemFailures"]) for response in responses)
        return Cycle(label, seconds, dynamodb_writes(calls), items[0], failures)

    def baseline_cycle(self, label: str, messages: list[SyncMessage], table: str) -> Cycle:
        """One product at a time: fetch its offers, delete the stored ones, store every fetched one."""
        with counting_aws_calls() as calls, counting_items_written() as items:
            offers = bind(SeedOfferModel, table)
            client = self.client()
            started = time.perf_counter()
            for message in messages:
                fetched = client.offers(uuid.UUID(str(message.offers_id)))
                for stored in offers.query(message.product_id):
                    stored.delete()
                for offer in fetched:
                    offers(
                        message.product_id,
                        str(offer.id),
                        price=offer.price,
                        items_in_stock=offer.items_in_stock,
                        updated_at="",
                    ).save()
            seconds = time.perf_counter() - started
        return Cycle(label, seconds, dynamodb_writes(calls), items[0], 0)


def _round_robin(workers: list[OffersWorker]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Each of the concurrent consumers is its own container: its own worker, used by one thread."""
    spare: Iterator[OffersWorker] = iter(workers)
    lock = threading.Lock()
    mine = threading.local()

    def handle(event: dict[str, Any]) -> dict[str, Any]:
        if not hasattr(mine, "worker"):
            with lock:
                mine.worker = next(spare)
        result: dict[str, Any] = mine.worker.handle(event)
        return result

    return handle


def run(table_names: dict[str, str], baseline_offers_table: str) -> str:
    with Bench(table_names) as bench:
        messages = bench.seed()
        first = bench.our_cycle("first sync (all new)", messages)
        unchanged = bench.our_cycle("nothing changed", messages)
        bench.service.control({"advance_ticks": 1})
        changed = bench.our_cycle("one tick of changes", messages)
        baseline_first = bench.baseline_cycle("first sync (all new)", messages, baseline_offers_table)
        baseline_unchanged = bench.baseline_cycle("nothing changed", messages, baseline_offers_table)
        stats = json.dumps(bench.service.stats()["tokens_issued"])
    rows = [
        ("shopfloor", first),
        ("shopfloor", unchanged),
        ("shopfloor", changed),
        ("sequential", baseline_first),
        ("sequential", baseline_unchanged),
    ]
    lines = [
        f"Offers sync: {PRODUCTS} products, offers service at {LATENCY_MS} ms a call, "
        f"{CONCURRENT_BATCHES} concurrent batches of {SQS_BATCH}",
        f"{'approach':<11} {'cycle':<22} {'wall s':>7} {'products/s':>10} {'DDB writes':>10} "
        f"{'items':>6} {'failed':>6}",
    ]
    for approach, cycle in rows:
        lines.append(
            f"{approach:<11} {cycle.label:<22} {cycle.seconds:>7.2f} {PRODUCTS / cycle.seconds:>10.0f} "
            f"{cycle.writes:>10} {cycle.items:>6} {cycle.failures:>6}"
        )
    lines.append(
        f"speed-up over the sequential loop: {baseline_unchanged.seconds / unchanged.seconds:.1f}x on an "
        f"unchanged cycle, {baseline_unchanged.seconds / changed.seconds:.1f}x on a cycle of changes "
        f"(target >= 10x); access tokens issued: {stats}"
    )
    return "\n".join(lines)
