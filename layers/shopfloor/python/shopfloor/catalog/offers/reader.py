"""Reading a product's cached offers, price history and trend: by key, never by scan."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from shopfloor.catalog.models import ALL_OFFERS, OfferModel, PriceHistoryModel, ProductModel
from shopfloor.catalog.offers.schemas import HistoryEntry, PriceTrend
from shopfloor.catalog.sync.reconcile import Offer
from shopfloor.catalog.sync.store import CHEAPEST_ENTRY, OFFER_ENTRY, to_offers
from shopfloor.platform.clock import iso
from shopfloor.platform.pagination import InvalidCursorError, Page, decode_cursor, encode_cursor

_AFTER_ALL = "~"  # sorts after every character an entry's time or offer id uses


class OffersReader:
    """The offers routes' queries (offers/routes.OffersQueries), over the tables the worker writes."""

    def __init__(
        self, products: type[ProductModel], offers: type[OfferModel], history: type[PriceHistoryModel]
    ) -> None:
        self._products = products
        self._offers = offers
        self._history = history

    def product_exists(self, product_id: int) -> bool:
        try:
            self._products.get(product_id, attributes_to_get=["id"])
        except self._products.DoesNotExist:
            return False
        return True

    def offers(self, product_id: int) -> list[Offer]:
        try:
            item = self._offers.get(product_id, ALL_OFFERS)  # all of them, in one item
        except self._offers.DoesNotExist:
            return []
        return sorted(to_offers(item), key=lambda offer: (offer.price, offer.id))

    def history(
        self, product_id: int, start: datetime, end: datetime, limit: int, cursor: str | None
    ) -> Page[HistoryEntry]:
        first = f"{OFFER_ENTRY}{iso(start)}"
        last = f"{OFFER_ENTRY}{iso(end)}{_AFTER_ALL}"
        after = None
        if cursor:
            resume = decode_cursor(cursor, ["product_id", "entry"])
            after = resume["entry"]["S"]
            if resume["product_id"]["N"] != str(product_id) or not after.startswith(OFFER_ENTRY):
                raise InvalidCursorError(cursor)  # another product's cursor, or none of ours
            # The last entry served is one change of the item `offer#<time>`: read again from it.
            first = max(first, "#".join(after.split("#", 2)[:2]))
        # An item holds one change or more: pages of limit + 2 items usually hold limit + 1 entries
        # past the cursor, enough to tell whether another page follows.
        items = self._history.query(product_id, self._history.entry.between(first, last), page_size=limit + 2)
        found: list[tuple[str, HistoryEntry]] = []
        for item in items:
            found += [(key, entry) for key, entry in _entries(item) if after is None or key > after]
            if len(found) > limit:
                break
        entries = [entry for _, entry in found[:limit]]
        if len(found) <= limit:
            return Page(items=entries, next_cursor=None)
        key = {"product_id": {"N": str(product_id)}, "entry": {"S": found[limit - 1][0]}}
        return Page(items=entries, next_cursor=encode_cursor(key))

    def trend(self, product_id: int, start: datetime, end: datetime) -> PriceTrend:
        first = f"{CHEAPEST_ENTRY}{iso(start)}"
        last = f"{CHEAPEST_ENTRY}{iso(end)}{_AFTER_ALL}"
        before = list(
            self._history.query(
                product_id,
                self._history.entry.between(CHEAPEST_ENTRY, first),
                scan_index_forward=False,
                limit=1,
                attributes_to_get=["entry", "price"],
            )
        )
        within = [
            item.price
            for item in self._history.query(
                product_id, self._history.entry.between(first, last), attributes_to_get=["entry", "price"]
            )
        ]
        return price_trend(start, end, before[0].price if before else None, bool(before), within)


def _entries(item: PriceHistoryModel) -> list[tuple[str, HistoryEntry]]:
    """The changes a history item records, in order, each with the key it sorts by (its cursor)."""
    if item.changes is None:  # one offer's change, as earlier versions recorded it
        entry = HistoryEntry(
            offer_id=str(item.offer_id),
            price=int(item.price or 0),
            items_in_stock=int(item.items_in_stock or 0),
            observed_at=item.observed_at,
        )
        return [(item.entry, entry)]
    latest = {str(change["offer_id"]): change for change in item.changes}  # recorded twice: the last
    return [
        (
            f"{item.entry}#{offer_id}",
            HistoryEntry(
                offer_id=offer_id,
                price=int(change["price"]),
                items_in_stock=int(change["items_in_stock"]),
                observed_at=item.observed_at,
            ),
        )
        for offer_id, change in sorted(latest.items())
    ]


def price_trend(
    start: datetime,
    end: datetime,
    price_before: float | None,
    known_before: bool,
    within: Sequence[float | None],
) -> PriceTrend:
    """The trend of the tracked price over [start, end]: `price_before` was in effect at `start`
    (if `known_before`); `within` are the recorded values, oldest first (None: nothing in stock)."""
    series = [price_before, *within] if known_before else list(within)
    start_price = _int(series[0]) if series else None
    end_price = _int(series[-1]) if series else None
    prices = [int(price) for price in series if price is not None]
    change = None
    if start_price and end_price is not None:
        change = round((end_price - start_price) / start_price * 100, 2)
    return PriceTrend.model_validate(
        {
            "from": iso(start),
            "to": iso(end),
            "start_price": start_price,
            "end_price": end_price,
            "change_percent": change,
            "min_price": min(prices) if prices else None,
            "max_price": max(prices) if prices else None,
        }
    )


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)
