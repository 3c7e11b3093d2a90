"""How the catalogue is stored: products, their cached offers and the observed price history."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
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


class OfferModel(Model):
    class Meta:
        table_name = "offers"

    product_id = NumberAttribute(hash_key=True)
    offer_id = UnicodeAttribute(range_key=True)
    price = NumberAttribute()
    items_in_stock = NumberAttribute()
    updated_at = UnicodeAttribute()


class PriceHistoryModel(Model):
    """One observed change. `entry` is `offer#<time>#<offer id>` for an offer's price or stock, or
    `cheapest#<time>` for the tracked price: the cheapest offer in stock (price null: none)."""

    class Meta:
        table_name = "price-history"

    product_id = NumberAttribute(hash_key=True)
    entry = UnicodeAttribute(range_key=True)
    offer_id = UnicodeAttribute(null=True)
    price = NumberAttribute(null=True)
    items_in_stock = NumberAttribute(null=True)
    observed_at = UnicodeAttribute()
    expires_at = NumberAttribute()
