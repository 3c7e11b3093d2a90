"""How the menu is stored: one item per product, and the view of the whole menu, in one table."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from shopfloor.shop.menu.schemas import MenuView

VIEW_ID = "view"


def product_item_id(product_id: int) -> str:
    return f"product#{product_id}"


class MenuItemModel(Model):
    """`id` "view": `body` is the MenuView's JSON, `version` counts its writes (each write is
    conditional on the version it read). `id` "product#<id>": `body` is the product with every
    variation it ever had, deleted ones marked (service.ProductRecord's JSON, amounts as exact
    strings), `deleted_at` once the product is deleted, and `version` the view's version written
    with it last."""

    class Meta:
        table_name = "menu"

    id = UnicodeAttribute(hash_key=True)
    body = UnicodeAttribute()
    version = NumberAttribute(default=0)
    deleted_at = UnicodeAttribute(null=True)


def read_view(model: type[MenuItemModel]) -> tuple[MenuView, int]:
    """The menu view and its version (an empty menu, version 0, before the first write): one
    strongly consistent GetItem, so a read right after a write sees it."""
    try:
        item = model.get(VIEW_ID, consistent_read=True)
    except model.DoesNotExist:
        return MenuView(), 0
    return MenuView.model_validate_json(item.body), int(item.version)
