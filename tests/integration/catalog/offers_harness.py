"""A local cloud of its own for the offers sync tests, driven as a client drives it: the API over
HTTP, the local offers service's /_control and /_stats, `make sync` (python -m infra.local.sync), and
boto3 against the cloud's DynamoDB Local and moto server.

The cloud runs with the schedule off, offers that only move when a test advances the service's
ticks, and a short visibility timeout. What the offers service answers for a product is computed
with the service's own model of its offers (a seeded, deterministic evolution), so a test can
compare the API with the service exactly without spending an access token of its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import requests
from botocore.config import Config

from infra.dynamodb import local_table_names
from infra.local import resources
from infra.local.offers_service import Offer, initial_offers, next_offers
from infra.local.settings import LocalSettings
from infra.topology import OFFERS_SYNC, ROOT
from shopfloor.catalog.offers_service.tokens import TOKEN_NAME
from tests.integration.cloud import LocalCloud, Ports, cloud_environment, start_cloud

SEED = 7
CLOUD_ENV = {
    "SHOPFLOOR_SCHEDULE_SECONDS": "0",  # no cycle but the ones a test runs
    "SHOPFLOOR_VISIBILITY_TIMEOUT_SECONDS": "4",
    "SHOPFLOOR_OFFERS_TICK_SECONDS": "0",  # offers change only on advance_ticks
    "SHOPFLOOR_OFFERS_SEED": str(SEED),
}
SYNC_TIMEOUT_SECONDS = 120.0
WAIT_SECONDS = 20.0
TABLES = local_table_names()
DLQ_NAME = resources.dlq_name(OFFERS_SYNC)
QUEUE_NAME = resources.queue_name(OFFERS_SYNC)
_BOTO_CONFIG = Config(connect_timeout=2, read_timeout=20, retries={"max_attempts": 3, "mode": "standard"})

OfferJson = dict[str, Any]


@dataclass(frozen=True)
class Product:
    """A product created through the API, with what the offers service knows of it."""

    id: int
    offers_id: str  # the UUID it is registered under at the offers service
    registered_tick: int  # the service's tick when it was registered (its offers evolve from there)


@dataclass(frozen=True)
class SyncRun:
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return f"exit {self.returncode} after {self.seconds:.1f} s\n{self.stdout}\n{self.stderr[-4000:]}"


@dataclass(frozen=True)
class DeadLetter:
    body: dict[str, Any]
    receive_count: int


def service_offers(product: Product, tick: int) -> list[OfferJson]:
    """What the local offers service answers for `product` at `tick`, in the API's order."""
    offers: tuple[Offer, ...] = initial_offers(SEED, product.offers_id)
    for step in range(product.registered_tick + 1, tick + 1):
        offers = next_offers(offers, SEED, product.offers_id, step)
    return sorted((offer.to_json() for offer in offers), key=lambda offer: (offer["price"], offer["id"]))


T = TypeVar("T")


def wait_until(condition: Callable[[], T | None], what: str, timeout: float = WAIT_SECONDS) -> T:
    """The condition's first truthy answer; an AssertionError when none comes within the timeout."""
    deadline = time.monotonic() + timeout
    while not (answer := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.1)
    return answer


class OffersCloud:
    def __init__(self, cloud: LocalCloud, extra_env: dict[str, str]) -> None:
        self.cloud = cloud
        self.environment = cloud_environment(cloud.ports, cloud.data_dir, extra_env)
        settings = LocalSettings.from_environ(self.environment)
        self.http = requests.Session()
        self.sqs = resources.client("sqs", settings)
        self.dynamodb = resources.local_client("dynamodb", cloud.dynamodb_url, _BOTO_CONFIG)
        self.queue_url = resources.queue_url(settings, QUEUE_NAME)
        self.dlq_url = resources.queue_url(settings, DLQ_NAME)

    @classmethod
    def start(cls, data_dir: Path, extra_env: dict[str, str] | None = None) -> OffersCloud:
        environment = {**CLOUD_ENV, **(extra_env or {})}
        return cls(start_cloud(Ports.free(), data_dir, extra_env=environment), environment)

    def stop(self) -> int:
        self.http.close()
        return self.cloud.stop()

    # --- the API ------------------------------------------------------------------------------

    @property
    def api(self) -> str:
        return self.cloud.base_url

    def create_product(self, name: str = "Kettle") -> Product:
        tick = self.tick()
        response = self.http.post(f"{self.api}/products", json={"name": name}, timeout=30)
        assert response.status_code == 201, response.text
        product_id = int(response.json()["id"])
        return Product(product_id, self.offers_id(product_id), tick)

    def delete_product(self, product_id: int) -> None:
        response = self.http.delete(f"{self.api}/products/{product_id}", timeout=30)
        assert response.status_code in (204, 404), response.text

    def offers(self, product_id: int) -> list[OfferJson]:
        response = self.http.get(f"{self.api}/products/{product_id}/offers", timeout=30)
        assert response.status_code == 200, response.text
        body: list[OfferJson] = response.json()
        return body

    def history(self, product_id: int) -> list[dict[str, Any]]:
        response = self.http.get(f"{self.api}/products/{product_id}/offers/history", timeout=30)
        assert response.status_code == 200, response.text
        body: list[dict[str, Any]] = response.json()
        return body

    def trend(self, product_id: int) -> dict[str, Any]:
        response = self.http.get(f"{self.api}/products/{product_id}/price-trend", timeout=30)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def product_ids(self) -> set[int]:
        response = self.http.get(f"{self.api}/products", params={"limit": 1000}, timeout=30)
        assert response.status_code == 200, response.text
        assert "Link" not in response.headers  # one page holds every product of these tests
        return {int(product["id"]) for product in response.json()}

    # --- the offers service -------------------------------------------------------------------

    def control(self, **settings: Any) -> dict[str, Any]:
        response = self.http.post(f"{self.cloud.offers_url}/_control", json=settings, timeout=10)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def stats(self) -> dict[str, Any]:
        response = self.http.get(f"{self.cloud.offers_url}/_stats", timeout=10)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def tick(self) -> int:
        return int(self.stats()["tick"])

    def service_offers(self, product: Product) -> list[OfferJson]:
        """What the offers service answers for `product` now."""
        return service_offers(product, self.tick())

    def advance_until_changed(self, *products: Product, limit: int = 50) -> int:
        """Advance the service's ticks until every one of `products` has offers that differ from
        what it reports now; the new tick."""
        now = self.tick()
        for step in range(1, limit + 1):
            if all(service_offers(p, now + step) != service_offers(p, now) for p in products):
                return int(self.control(advance_ticks=step)["tick"])
        raise AssertionError(f"the offers of {products} did not all change within {limit} ticks")

    # --- a sync cycle (`make sync`) -----------------------------------------------------------

    def start_sync(self) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "infra.local.sync"],
            cwd=ROOT,
            env=self.environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def finish_sync(self, process: subprocess.Popen[str], started: float) -> SyncRun:
        try:
            stdout, stderr = process.communicate(timeout=SYNC_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
            raise AssertionError(f"make sync did not finish:\n{stdout}\n{stderr[-4000:]}") from None
        return SyncRun(process.returncode, stdout, stderr, time.monotonic() - started)

    def sync(self) -> SyncRun:
        """One full cycle: dispatch every product, drain the cycle's queue (retries, DLQ)."""
        started = time.monotonic()
        return self.finish_sync(self.start_sync(), started)

    # --- moto and DynamoDB Local --------------------------------------------------------------

    def drain_dlq(self) -> list[DeadLetter]:
        """Every message of the dead-letter queue, removed from it."""
        letters: list[DeadLetter] = []
        while True:
            messages = self.sqs.receive_message(
                QueueUrl=self.dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=0, AttributeNames=["All"]
            ).get("Messages", [])
            if not messages:
                return letters
            for message in messages:
                count = int(message["Attributes"]["ApproximateReceiveCount"])
                letters.append(DeadLetter(json.loads(message["Body"]), count))
                self.sqs.delete_message(QueueUrl=self.dlq_url, ReceiptHandle=message["ReceiptHandle"])

    def queue_is_empty(self) -> bool:
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=names)
        return all(int(attributes["Attributes"].get(name, "0")) == 0 for name in names)

    def items(self, table: str, product_id: int) -> list[dict[str, Any]]:
        """A product's items in `table` (offers or price-history), read by key."""
        found: list[dict[str, Any]] = []
        request: dict[str, Any] = {
            "TableName": TABLES[table],
            "KeyConditionExpression": "product_id = :id",
            "ExpressionAttributeValues": {":id": {"N": str(product_id)}},
            "ConsistentRead": True,
        }
        while True:
            page = self.dynamodb.query(**request)
            found += page["Items"]
            if "LastEvaluatedKey" not in page:
                return found
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def offers_id(self, product_id: int) -> str:
        item = self.dynamodb.get_item(
            TableName=TABLES["products"], Key={"id": {"N": str(product_id)}}, ConsistentRead=True
        )["Item"]
        return str(item["offers_id"]["S"])

    def forget_access_token(self) -> None:
        """As on a first deployment: no stored access token, and none active at the service."""
        self.dynamodb.delete_item(TableName=TABLES["tokens"], Key={"name": {"S": TOKEN_NAME}})
        self.control(revoke_token=True)


@dataclass
class Catalogue:
    """The products a test creates; deleted afterwards so the next test's cycles do not see them."""

    cloud: OffersCloud

    def __post_init__(self) -> None:
        self.products: list[Product] = []

    def create(self, count: int = 1, name: str = "Kettle") -> list[Product]:
        created = [self.cloud.create_product(f"{name} {index}") for index in range(count)]
        self.products += created
        return created

    def one(self, name: str = "Kettle") -> Product:
        return self.create(1, name)[0]

    def __iter__(self) -> Iterator[Product]:
        return iter(self.products)

    def clear(self) -> None:
        for product in self.products:
            self.cloud.delete_product(product.id)
        self.products = []
        # The purge messages those deletions sent are processed by the cloud's own poller.
        wait_until(self.cloud.queue_is_empty, "the deleted products' purge messages were processed")


def synced(cloud: OffersCloud) -> None:
    """One sync cycle that leaves nothing dead-lettered."""
    run = cloud.sync()
    assert run.returncode == 0, run.output
    assert cloud.drain_dlq() == []
