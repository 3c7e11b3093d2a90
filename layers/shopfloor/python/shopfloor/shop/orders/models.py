"""How orders are stored: one item per order, with its lines and its timeline, in the orders table.

Lists read an index, newest first: `placed` ("<created_at>#<id, 20 digits>") sorts by time, then
by id, and each index is read with ScanIndexForward=False. by-customer: a customer's orders;
by-status: the orders in one status (a move re-indexes the order); by-time: every order, under one
partition key (`listing`, always LISTING).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from pynamodb.attributes import Attribute, ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.constants import NUMBER
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

LISTING: Final = "orders"


def placed_key(created_at: str, order_id: int) -> str:
    return f"{created_at}#{order_id:020d}"


class DecimalAttribute(Attribute[Decimal]):
    """A DynamoDB number read and written as a Decimal: money stays exact (NumberAttribute goes
    through float)."""

    attr_type = NUMBER

    def serialize(self, value: Decimal) -> str:
        return str(value)

    def deserialize(self, value: str) -> Decimal:
        return Decimal(value)


class LineAttribute(MapAttribute[str, Any]):
    """A line as placed: the product's and the variation's names and prices copied from the menu."""

    product_id = NumberAttribute()
    variation_id = NumberAttribute(null=True)
    name = UnicodeAttribute()
    unit_price = DecimalAttribute()
    quantity = NumberAttribute()
    line_total = DecimalAttribute()


class EventAttribute(MapAttribute[str, Any]):
    """A status the order moved into, when, and by whom ("customer" or "manager")."""

    status = UnicodeAttribute()
    at = UnicodeAttribute()
    by = UnicodeAttribute()


class ByCustomer(GlobalSecondaryIndex["OrderModel"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by-customer"
        projection = AllProjection()

    customer = UnicodeAttribute(hash_key=True)
    placed = UnicodeAttribute(range_key=True)


class ByStatus(GlobalSecondaryIndex["OrderModel"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by-status"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    placed = UnicodeAttribute(range_key=True)


class ByTime(GlobalSecondaryIndex["OrderModel"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by-time"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    placed = UnicodeAttribute(range_key=True)


class OrderModel(Model):
    """An order. `events` is its timeline, oldest first: each move appends to it in the same
    conditional write that changes `status`."""

    class Meta:
        table_name = "orders"

    id = NumberAttribute(hash_key=True)
    customer = UnicodeAttribute()  # the e-mail address of the customer who placed it
    status = UnicodeAttribute()
    listing = UnicodeAttribute(default=LISTING)
    placed = UnicodeAttribute()
    location = UnicodeAttribute()
    lines = ListAttribute(of=LineAttribute)
    total = DecimalAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    events = ListAttribute(of=EventAttribute)

    by_customer = ByCustomer()
    by_status = ByStatus()
    by_time = ByTime()
