"""The offers sync when the offers service misbehaves (issue 3, point 6), as a client sees it: the
API's cached offers, the dead-letter queue in moto, and the offers service's /_stats.

A fault hits one product only (`only_products`), so each test shows at once that the failed product
keeps its cached offers exactly, that its message is retried and dead-lettered after the queue's
max_receive_count receives, and that the other products, received in the same batch, still sync.

A slow service costs the client its read timeout on every attempt (3 receives x 3 attempts x 5 s):
that cycle runs in a cloud of its own, in the background, while the other tests run.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from infra.topology import OFFERS_SYNC
from shopfloor.catalog.offers_service.client import READ_TIMEOUT_SECONDS, RETRIES
from tests.integration.catalog.offers_harness import (
    Catalogue,
    OfferJson,
    OffersCloud,
    Product,
    SyncRun,
    synced,
    wait_until,
)

pytestmark = pytest.mark.integration

RECEIVES = OFFERS_SYNC.max_receive_count
CALLS_WITH_RETRIES = 1 + RETRIES  # 5xx, timeouts and resets are retried by the client
SLOW_TEST = "test_a_slow_service_keeps_the_cached_offers_and_dead_letters_the_message"
HANG_SECONDS = READ_TIMEOUT_SECONDS + 1


def assert_dead_lettered(cloud: OffersCloud, run: SyncRun, product: Product) -> None:
    """The product's message, and only it, failed every receive and went to the DLQ."""
    assert run.returncode == 1, run.output
    assert f"1 messages failed {RECEIVES} times and went to shopfloor-offers-sync-dlq" in run.stdout, (
        run.output
    )
    letters = cloud.drain_dlq()
    assert [(letter.body["product_id"], letter.body["offers_id"]) for letter in letters] == [
        (product.id, product.offers_id)
    ]
    # Received max_receive_count times by the cycle, moved by moto on the next receive; plus ours.
    assert letters[0].receive_count == RECEIVES + 1


@pytest.fixture(scope="class")
def fleet(offers_cloud: OffersCloud) -> Iterator[list[Product]]:
    """Products synced once, shared by a class's tests: each test fails a different one of them."""
    offers_cloud.control(reset=True, reset_stats=True)
    products = Catalogue(offers_cloud)
    products.create(5)
    synced(offers_cloud)
    yield list(products)
    products.clear()


def fail_one(cloud: OffersCloud, fleet: list[Product], **control: object) -> SyncRun:
    """Move every product's offers at the service, then run a cycle with `control` applied."""
    cloud.advance_until_changed(*fleet)
    cloud.control(reset=True, reset_stats=True, **control)
    cloud.drain_dlq()
    return cloud.sync()


class TestAFaultHittingOneProduct:
    """One product of the batch fails; the others (all in one batch: fewer than 10) still sync."""

    @pytest.mark.parametrize(
        ("failure", "failing_index", "calls_per_receive"),
        [
            pytest.param("down", 0, CALLS_WITH_RETRIES, id="down"),
            pytest.param("5xx", 1, CALLS_WITH_RETRIES, id="5xx"),
            pytest.param("malformed", 2, 1, id="malformed-json"),
            pytest.param("schema", 3, 1, id="json-breaking-the-schema"),
        ],
    )
    def test_a_failing_offers_call_keeps_the_cached_offers_and_dead_letters_the_message(
        self,
        offers_cloud: OffersCloud,
        fleet: list[Product],
        failure: str,
        failing_index: int,
        calls_per_receive: int,
    ) -> None:
        failing = fleet[failing_index]
        cached = offers_cloud.offers(failing.id)
        assert cached

        run = fail_one(offers_cloud, fleet, failure=failure, only_products=[failing.offers_id])

        assert offers_cloud.offers(failing.id) == cached != offers_cloud.service_offers(failing)
        assert_dead_lettered(offers_cloud, run, failing)
        assert offers_cloud.stats()["faults"] == RECEIVES * calls_per_receive  # bounded retries
        for other in fleet:
            if other != failing:
                assert offers_cloud.offers(other.id) == offers_cloud.service_offers(other)

    def test_a_product_the_service_no_longer_knows_keeps_its_offers_and_is_registered_again(
        self, offers_cloud: OffersCloud, fleet: list[Product]
    ) -> None:
        forgotten = fleet[4]
        cached = offers_cloud.offers(forgotten.id)
        assert cached

        run = fail_one(offers_cloud, fleet, forget_products=[forgotten.offers_id])

        assert offers_cloud.offers(forgotten.id) == cached
        assert_dead_lettered(offers_cloud, run, forgotten)
        assert offers_cloud.stats()["statuses"].get("404") == RECEIVES  # a 404 is not retried
        for other in fleet:
            if other != forgotten:
                assert offers_cloud.offers(other.id) == offers_cloud.service_offers(other)
        # The next cycle registers it again, under the same UUID, and takes that registration's offers.
        registered_again = Product(forgotten.id, forgotten.offers_id, offers_cloud.tick())
        offers_cloud.control(reset_stats=True)
        synced(offers_cloud)
        assert offers_cloud.stats()["register"] == 1
        assert offers_cloud.offers(forgotten.id) == offers_cloud.service_offers(registered_again) != cached


def test_a_product_refused_with_401_keeps_its_offers_and_each_refusal_costs_one_token(
    offers_cloud: OffersCloud, catalogue: Catalogue
) -> None:
    # Alone in its cycle: this fault revokes the shared access token on every call of the product,
    # so it would also refuse, at random, the calls other products make in the same moment.
    product = catalogue.one()
    synced(offers_cloud)
    cached = offers_cloud.offers(product.id)
    offers_cloud.advance_until_changed(product)
    offers_cloud.control(reset_stats=True, failure="401", only_products=[product.offers_id])

    run = offers_cloud.sync()

    assert offers_cloud.offers(product.id) == cached
    assert_dead_lettered(offers_cloud, run, product)
    stats = offers_cloud.stats()
    # Each receive: 401, one new access token, the one retry refused again.
    assert stats["faults"] == 2 * RECEIVES
    assert stats["tokens_issued"] == RECEIVES
    assert stats["auth_refused"] == 0  # never a second token for the same expiry
    # The service accepts calls again: the token its last 401 revoked is replaced exactly once.
    offers_cloud.control(reset=True, reset_stats=True)
    synced(offers_cloud)
    assert offers_cloud.offers(product.id) == offers_cloud.service_offers(product)
    stats = offers_cloud.stats()
    assert (stats["tokens_issued"], stats["auth_refused"]) == (1, 0)


def test_an_access_token_revoked_in_the_middle_of_a_cycle_is_replaced_once(
    offers_cloud: OffersCloud, catalogue: Catalogue
) -> None:
    products = catalogue.create(20)  # two batches, in two containers, fetching concurrently
    offers_cloud.forget_access_token()
    # Every call takes a second: the cycle's first token is issued a second before any offers call
    # is answered, time enough to revoke it while they are under way.
    offers_cloud.control(reset_stats=True, latency_ms=1000)
    started = time.monotonic()
    process = offers_cloud.start_sync()
    try:
        wait_until(lambda: offers_cloud.stats()["tokens_issued"] == 1, "the cycle's first access token", 60)
        offers_cloud.control(revoke_token=True)
    finally:
        run = offers_cloud.finish_sync(process, started)

    assert run.returncode == 0, run.output
    stats = offers_cloud.stats()
    assert stats["statuses"].get("401", 0) >= 1, stats  # the revoked token was refused mid-cycle
    assert stats["tokens_issued"] == 2, stats  # the first, and exactly one after the 401s
    assert stats["auth_refused"] == 0, stats
    assert offers_cloud.drain_dlq() == []
    for product in products:
        assert offers_cloud.offers(product.id) == offers_cloud.service_offers(product)


def test_a_cycle_from_an_empty_token_table_requests_one_access_token(
    offers_cloud: OffersCloud, catalogue: Catalogue
) -> None:
    products = catalogue.create(40)  # four batches: four containers want a token at once
    offers_cloud.forget_access_token()
    offers_cloud.control(reset_stats=True)

    synced(offers_cloud)

    stats = offers_cloud.stats()
    assert (stats["auth"], stats["tokens_issued"], stats["auth_refused"]) == (1, 1, 0), stats
    assert stats["offers"] == len(products)
    assert "401" not in stats["statuses"]
    for product in products:
        assert offers_cloud.offers(product.id) == offers_cloud.service_offers(product)


# --- a slow service, in a cloud of its own ---------------------------------------------------


@dataclass
class SlowCycle:
    cloud: OffersCloud
    slow: Product
    other: Product
    cached: list[OfferJson]
    process: subprocess.Popen[str]
    started: float


@pytest.fixture(scope="module", autouse=True)
def slow_cycle(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SlowCycle | None]:
    """Started before the module's first test when the slow test is selected: a cycle in which one
    product's offers calls hang beyond the client's read timeout."""
    if not any(item.nodeid == f"{request.node.nodeid}::{SLOW_TEST}" for item in request.session.items):
        yield None
        return
    cloud = OffersCloud.start(tmp_path_factory.mktemp("offers-slow-cloud"))
    process: subprocess.Popen[str] | None = None
    try:
        slow, other = cloud.create_product("Slow"), cloud.create_product("Quick")
        synced(cloud)
        cached = cloud.offers(slow.id)
        cloud.advance_until_changed(slow, other)
        cloud.control(
            reset_stats=True, failure="timeout", hang_seconds=HANG_SECONDS, only_products=[slow.offers_id]
        )
        process = cloud.start_sync()
        yield SlowCycle(cloud, slow, other, cached, process, time.monotonic())
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.communicate()
        assert cloud.stop() == 0, cloud.cloud.output()


def test_a_slow_service_keeps_the_cached_offers_and_dead_letters_the_message(
    slow_cycle: SlowCycle | None,
) -> None:
    assert slow_cycle is not None
    cloud = slow_cycle.cloud

    run = cloud.finish_sync(slow_cycle.process, slow_cycle.started)

    assert cloud.offers(slow_cycle.slow.id) == slow_cycle.cached != cloud.service_offers(slow_cycle.slow)
    assert_dead_lettered(cloud, run, slow_cycle.slow)
    assert cloud.offers(slow_cycle.other.id) == cloud.service_offers(slow_cycle.other)
    # Every attempt waited out the read timeout; the service counts a hung call once it gives up.
    assert run.seconds >= RECEIVES * CALLS_WITH_RETRIES * READ_TIMEOUT_SECONDS
    wait_until(
        lambda: cloud.stats()["faults"] == RECEIVES * CALLS_WITH_RETRIES, "every hung call was counted"
    )
    assert cloud.stats()["faults"] == RECEIVES * CALLS_WITH_RETRIES
