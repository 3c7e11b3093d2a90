"""How warranties are stored: stores, items and warranties, one table each."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model


class StoreModel(Model):
    class Meta:
        table_name = "stores"

    store_uuid = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute()


class ItemModel(Model):
    """An item, unique by type and sku (`item_key` is the JSON `[type, sku]`), as first seen."""

    class Meta:
        table_name = "items"

    item_key = UnicodeAttribute(hash_key=True)
    type = UnicodeAttribute()
    sku = UnicodeAttribute()
    title = UnicodeAttribute()
    cost = NumberAttribute()
    created_at = UnicodeAttribute()


class ByStoreItem(GlobalSecondaryIndex["WarrantyModel"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by-store-item"
        projection = AllProjection()

    store_item = UnicodeAttribute(hash_key=True)
    id = NumberAttribute(range_key=True)


class WarrantyModel(Model):
    """A warranty with the item as it was in its own request, the request as received and the
    response sent (both JSON), which the archiver copies to S3 from the table's stream."""

    class Meta:
        table_name = "warranties"

    id = NumberAttribute(hash_key=True)
    store_item = UnicodeAttribute()  # the JSON `[store uuid, item type, sku]`, the index's key
    store_uuid = UnicodeAttribute()
    item_type = UnicodeAttribute()
    item_sku = UnicodeAttribute()
    item_cost = NumberAttribute()
    item_title = UnicodeAttribute()
    warranty_price = NumberAttribute()
    warranty_duration_months = NumberAttribute()
    created_at = UnicodeAttribute()
    request = UnicodeAttribute()
    response = UnicodeAttribute()

    by_store_item = ByStoreItem()
