"""What changed between the offers we hold and the offers the service reports: pure logic."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel


class Offer(BaseModel):
    """An offer as clients see it: `{id, price, items_in_stock}`."""

    id: str
    price: int
    items_in_stock: int


@dataclass(frozen=True)
class OfferChanges:
    inserted: list[Offer] = field(default_factory=list)
    updated: list[Offer] = field(default_factory=list)
    deleted: list[Offer] = field(default_factory=list)
    current: list[Offer] = field(default_factory=list)  # every offer after the changes
    cheapest_before: int | None = None
    cheapest_after: int | None = None

    @property
    def offers_changed(self) -> bool:
        return bool(self.inserted or self.updated or self.deleted)

    @property
    def cheapest_changed(self) -> bool:
        return self.cheapest_before != self.cheapest_after


def cheapest_in_stock(offers: list[Offer]) -> int | None:
    """The price tracked for trends: the cheapest offer with items in stock, or None."""
    prices = [offer.price for offer in offers if offer.items_in_stock > 0]
    return min(prices) if prices else None


def reconcile(held: list[Offer], reported: list[Offer]) -> OfferChanges:
    """New offers are inserted, changed ones updated, vanished (sold out) ones deleted; an offer
    whose price and stock are unchanged is not touched."""
    held_by_id = {offer.id: offer for offer in held}
    reported_by_id = {offer.id: offer for offer in reported}
    inserted = [offer for offer_id, offer in reported_by_id.items() if offer_id not in held_by_id]
    updated = [
        offer
        for offer_id, offer in reported_by_id.items()
        if offer_id in held_by_id and offer != held_by_id[offer_id]
    ]
    deleted = [offer for offer_id, offer in held_by_id.items() if offer_id not in reported_by_id]
    current = list(reported_by_id.values())
    return OfferChanges(
        inserted=inserted,
        updated=updated,
        deleted=deleted,
        current=current,
        cheapest_before=cheapest_in_stock(held),
        cheapest_after=cheapest_in_stock(current),
    )
