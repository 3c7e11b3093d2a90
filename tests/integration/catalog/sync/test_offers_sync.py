"""The offers sync end to end, as a client sees it: a product created through the API gets the
offers service's offers after a cycle (`make sync`), with their history and price trend; a cycle
with nothing new changes nothing; moved, sold-out and new offers are applied; a deleted product
leaves nothing behind; a product the offers service cannot register is not created."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.integration.catalog.offers_harness import (
    Catalogue,
    OfferJson,
    OffersCloud,
    Product,
    service_offers,
    synced,
    wait_until,
)

pytestmark = pytest.mark.integration

EXTERNAL_SERVICE_FAILED = {"message": "Call to external service failed."}
NOT_FOUND = {"message": "Not found."}


def cheapest(offers: list[OfferJson]) -> int:
    return min(int(offer["price"]) for offer in offers if offer["items_in_stock"] > 0)


def observed(entries: list[dict[str, Any]]) -> Counter[tuple[str, int, int]]:
    return Counter((entry["offer_id"], entry["price"], entry["items_in_stock"]) for entry in entries)


def as_observed(offers: list[OfferJson]) -> Counter[tuple[str, int, int]]:
    return Counter((offer["id"], offer["price"], offer["items_in_stock"]) for offer in offers)


def test_a_new_product_gets_the_services_offers_their_history_and_a_trend(
    offers_cloud: OffersCloud, catalogue: Catalogue
) -> None:
    product = catalogue.one("Teapot")
    assert offers_cloud.offers(product.id) == []  # nothing until a sync

    synced(offers_cloud)

    expected = offers_cloud.service_offers(product)
    assert expected  # the service has 2 to 5 offers for a new product
    assert offers_cloud.offers(product.id) == expected
    history = offers_cloud.history(product.id)
    assert observed(history) == as_observed(expected)
    assert len({entry["observed_at"] for entry in history}) == 1  # one sync observed them
    trend = offers_cloud.trend(product.id)
    price = cheapest(expected)
    assert {key: trend[key] for key in ("start_price", "end_price", "min_price", "max_price")} == {
        "start_price": price,
        "end_price": price,
        "min_price": price,
        "max_price": price,
    }
    assert trend["change_percent"] == 0.0
    assert trend["from"] < trend["to"]


def test_a_cycle_in_which_nothing_changed_changes_nothing(
    offers_cloud: OffersCloud, catalogue: Catalogue
) -> None:
    products = catalogue.create(3)
    synced(offers_cloud)
    before = {
        p.id: (offers_cloud.offers(p.id), offers_cloud.history(p.id), offers_cloud.trend(p.id))
        for p in products
    }

    run = offers_cloud.sync()

    assert run.returncode == 0, run.output
    assert "total: 0 of 3 products changed; 0 inserted, 0 updated, 0 deleted" in run.stdout, run.output
    for product in products:
        offers, history, trend = before[product.id]
        assert offers_cloud.offers(product.id) == offers == offers_cloud.service_offers(product)
        assert offers_cloud.history(product.id) == history
        after = offers_cloud.trend(product.id)
        assert {k: v for k, v in after.items() if k not in ("from", "to")} == {
            k: v for k, v in trend.items() if k not in ("from", "to")
        }


def changed_gone_and_new(
    before: list[OfferJson], after: list[OfferJson]
) -> tuple[set[str], set[str], set[str]]:
    old = {offer["id"]: offer for offer in before}
    new = {offer["id"]: offer for offer in after}
    changed = {offer_id for offer_id in old.keys() & new.keys() if old[offer_id] != new[offer_id]}
    return changed, old.keys() - new.keys(), new.keys() - old.keys()


def ticks_to_change_remove_and_add(product: Product, tick: int, limit: int = 30) -> int | None:
    """How many ticks after `tick` the service's offers of `product` first include, compared with
    its offers at `tick`, an offer whose price or stock changed, one sold out and one new."""
    current = service_offers(product, tick)
    for step in range(1, limit + 1):
        if all(changed_gone_and_new(current, service_offers(product, tick + step))):
            return step
    return None


def test_a_cycle_after_the_offers_moved_updates_removes_and_adds_them(
    offers_cloud: OffersCloud, catalogue: Catalogue
) -> None:
    # Offers evolve at random (seeded by the product's UUID): some products keep no changed offer
    # by the time a new one appears. Take the first product whose offers do all three.
    for _ in range(20):
        product = catalogue.one("Kettle")
        steps = ticks_to_change_remove_and_add(product, offers_cloud.tick())
        if steps is not None:
            break
    else:
        pytest.fail("no product's offers changed, sold out and appeared in one advance")
    synced(offers_cloud)
    before = offers_cloud.offers(product.id)
    offers_cloud.control(advance_ticks=steps)
    expected = offers_cloud.service_offers(product)
    changed, gone, new = changed_gone_and_new(before, expected)
    assert all((changed, gone, new))

    run = offers_cloud.sync()

    assert run.returncode == 0, run.output
    assert (
        f"product {product.id}: {len(new)} inserted, {len(changed)} updated, {len(gone)} deleted"
        in run.stdout
    )
    assert offers_cloud.offers(product.id) == expected
    history = offers_cloud.history(product.id)
    first, second = sorted({entry["observed_at"] for entry in history})
    latest = [entry for entry in history if entry["observed_at"] == second]
    sold_out = [{**offer, "items_in_stock": 0} for offer in before if offer["id"] in gone]
    moved = [offer for offer in expected if offer["id"] in changed | new]
    assert observed(latest) == as_observed(moved + sold_out)  # an offer that is gone: 0 in stock
    assert observed([entry for entry in history if entry["observed_at"] == first]) == as_observed(before)
    trend = offers_cloud.trend(product.id)
    start, end = cheapest(before), cheapest(expected)
    assert trend["start_price"] == start
    assert trend["end_price"] == end
    assert trend["min_price"] == min(start, end)
    assert trend["max_price"] == max(start, end)
    assert trend["change_percent"] == round((end - start) / start * 100, 2)


def test_a_deleted_product_leaves_no_offers_and_no_history(
    offers_cloud: OffersCloud, catalogue: Catalogue
) -> None:
    product, kept = catalogue.create(2)
    synced(offers_cloud)
    assert offers_cloud.items("offers", product.id)
    assert offers_cloud.items("price-history", product.id)
    kept_offers = offers_cloud.offers(kept.id)

    deleted = offers_cloud.http.delete(f"{offers_cloud.api}/products/{product.id}", timeout=30)

    assert deleted.status_code == 204
    response = offers_cloud.http.get(f"{offers_cloud.api}/products/{product.id}/offers", timeout=30)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    # The purge message goes through the queue to the worker (the cloud's own poller).
    wait_until(
        lambda: (
            not offers_cloud.items("offers", product.id)
            and not offers_cloud.items("price-history", product.id)
        ),
        "the deleted product's offers and history were purged",
    )
    wait_until(offers_cloud.queue_is_empty, "the purge message was deleted from the queue")
    assert offers_cloud.drain_dlq() == []
    assert offers_cloud.offers(kept.id) == kept_offers  # another product's offers stay
    for path in ("offers/history", "price-trend"):
        assert (
            offers_cloud.http.get(f"{offers_cloud.api}/products/{product.id}/{path}", timeout=30).status_code
            == 404
        )


@pytest.mark.parametrize("failure", ["down", "5xx"])
def test_a_product_the_offers_service_cannot_register_is_not_created(
    offers_cloud: OffersCloud, catalogue: Catalogue, failure: str
) -> None:
    catalogue.one("Existing")
    products_before = offers_cloud.product_ids()
    registered_before = offers_cloud.stats()["products"]
    offers_cloud.control(failure=failure)

    response = offers_cloud.http.post(f"{offers_cloud.api}/products", json={"name": "Orphan"}, timeout=30)

    assert response.status_code == 503, response.text
    assert response.json() == EXTERNAL_SERVICE_FAILED
    offers_cloud.control(reset=True)
    assert offers_cloud.product_ids() == products_before
    assert offers_cloud.stats()["products"] == registered_before
    assert offers_cloud.stats()["faults"] >= 1  # the failure was what the registration met
