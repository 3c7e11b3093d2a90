from __future__ import annotations

from shopfloor.catalog.sync.reconcile import Offer, cheapest_in_stock, reconcile


def offer(offer_id: str, price: int, stock: int = 5) -> Offer:
    return Offer(id=offer_id, price=price, items_in_stock=stock)


def test_new_offers_are_inserted_changed_ones_updated_vanished_ones_deleted() -> None:
    held = [offer("a", 100), offer("b", 200), offer("c", 300)]
    reported = [offer("a", 100), offer("b", 250), offer("d", 400)]

    changes = reconcile(held, reported)

    assert changes.inserted == [offer("d", 400)]
    assert changes.updated == [offer("b", 250)]
    assert changes.deleted == [offer("c", 300)]
    assert changes.current == reported


def test_a_change_of_stock_alone_is_an_update() -> None:
    changes = reconcile([offer("a", 100, stock=5)], [offer("a", 100, stock=4)])

    assert changes.updated == [offer("a", 100, stock=4)]


def test_identical_offers_change_nothing() -> None:
    held = [offer("a", 100), offer("b", 200)]

    changes = reconcile(held, list(reversed(held)))

    assert not changes.offers_changed
    assert not changes.cheapest_changed


def test_the_tracked_price_is_the_cheapest_offer_in_stock() -> None:
    assert cheapest_in_stock([offer("a", 50, stock=0), offer("b", 70), offer("c", 90)]) == 70
    assert cheapest_in_stock([offer("a", 50, stock=0)]) is None
    assert cheapest_in_stock([]) is None


def test_the_cheapest_price_change_is_reported() -> None:
    changes = reconcile([offer("a", 100), offer("b", 200)], [offer("b", 200)])

    assert (changes.cheapest_before, changes.cheapest_after) == (100, 200)
    assert changes.cheapest_changed
