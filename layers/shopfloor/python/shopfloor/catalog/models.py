"""How the catalogue is stored: products, their cached offers and the observed price history."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.models import Model


class ProductModel(Model):
    class Meta:
        table_name = "products"

    id = NumberAttribute(hash_key=True)
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    # The UUID the product is registered under at the offers service, and whether it is.
    offers_id = UnicodeAttribute(null=True)
    registered = BooleanAttribute(null=True)


ALL_OFFERS = "all"


class OfferModel(Model):
    """A product's offers as last synchronised, all in one item (sort key ALL_OFFERS): `offers` maps
    each offer's id to `{"price", "items_in_stock"}`. A sync reads and writes this one item, not one
    per offer; a product has a handful of offers, far from DynamoDB's 400 KB item limit (the worker
    refuses more than sync/store.MAX_OFFERS)."""

    class Meta:
        table_name = "offers"

    product_id = NumberAttribute(hash_key=True)
    offer_id = UnicodeAttribute(range_key=True)  # the table's sort key: always ALL_OFFERS
    offers = MapAttribute[str, Any](default=dict)  # type: ignore[no-untyped-call]
    updated_at = UnicodeAttribute()  # the sync that last changed them


class PriceHistoryModel(Model):
    """What a sync observed. `entry` is `offer#<time>` for the changes of the product's offers,
    `changes`: `[{"offer_id", "price", "items_in_stock"}]`, one per offer whose price or stock
    changed; or `cheapest#<time>` for the tracked price, the cheapest offer in stock (price null:
    none). An `offer#<time>#<offer id>` item, one offer's change in `offer_id`, `price` and
    `items_in_stock`, is how earlier versions recorded them; it is read alike."""

    class Meta:
        table_name = "price-history"

    product_id = NumberAttribute(hash_key=True)
    entry = UnicodeAttribute(range_key=True)
    changes = ListAttribute[dict[str, Any]](null=True)
    offer_id = UnicodeAttribute(null=True)
    price = NumberAttribute(null=True)
    items_in_stock = NumberAttribute(null=True)
    observed_at = UnicodeAttribute()
    expires_at = NumberAttribute()
