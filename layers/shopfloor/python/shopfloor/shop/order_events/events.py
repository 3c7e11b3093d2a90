"""The order events as they go on the bus (source `shopfloor.shop`): the contract between the
`order-events` function that publishes them and whoever subscribes, such as the notifier.

An event is one step of an order's timeline, read from the order's new image in the table's
stream: every write to an order appends exactly one step (`orders/models.py`), so the last step of
the image is the change the record carries, and the one before it the status it came from.

    detail-type  OrderPlaced | OrderStatusChanged | OrderCancelled
    detail       {order_id, step, customer, status, previous_status, at, total, lines}

`step` is the step's position in the timeline (0: placed). Times have a resolution of one second,
so an order can reach one status twice within one `at`; `order_id` and `step` identify an event.
Amounts are JSON numbers, exact to the cent.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field

from shopfloor.platform.fields import Amount
from shopfloor.shop.orders.flow import Status

SOURCE: Final = "shopfloor.shop"


class DetailType(StrEnum):
    ORDER_PLACED = "OrderPlaced"
    ORDER_STATUS_CHANGED = "OrderStatusChanged"
    ORDER_CANCELLED = "OrderCancelled"


class EventLine(BaseModel):
    """A line of the order as placed: names and prices copied from the menu then."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    product_id: int
    variation_id: int | None = None
    name: str
    unit_price: Amount
    quantity: int = Field(ge=1)
    line_total: Amount


class OrderEventDetail(BaseModel):
    """The detail of an order event."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    order_id: int = Field(ge=1)
    step: int = Field(ge=0, description="The step's position in the order's timeline; 0: placed.")
    customer: str = Field(min_length=3, description="The e-mail address of the customer who placed it.")
    status: Status
    previous_status: Status | None = Field(description="null for OrderPlaced.")
    at: str
    total: Amount
    lines: tuple[EventLine, ...] = Field(min_length=1)


class OrderEvent(BaseModel):
    """An event as the bus carries it: its type and its detail."""

    model_config = ConfigDict(frozen=True)

    detail_type: DetailType
    detail: OrderEventDetail

    def entry(self, bus_name: str) -> dict[str, str]:
        """The PutEvents request entry that puts this event on the bus."""
        return {
            "EventBusName": bus_name,
            "Source": SOURCE,
            "DetailType": self.detail_type.value,
            "Detail": self.detail.model_dump_json(),
        }


def detail_type_of(status: Status, step: int) -> DetailType:
    if step == 0:
        return DetailType.ORDER_PLACED
    if status is Status.CANCELLED:
        return DetailType.ORDER_CANCELLED
    return DetailType.ORDER_STATUS_CHANGED


def event_of_image(image: Mapping[str, Any]) -> OrderEvent:
    """The event of an order's new image (plain values: platform.batch.image_values): its last step.

    Raises ValueError (pydantic's ValidationError is one) for an image that is not an order with a
    timeline; the stream consumer then reports the record as failed."""
    timeline = image.get("events")
    if not isinstance(timeline, list) or not timeline:
        raise ValueError(f"order {image.get('id')!r} has no timeline")
    step = len(timeline) - 1
    last = timeline[-1]
    status = Status(last["status"])
    previous = Status(timeline[-2]["status"]) if step else None
    detail = OrderEventDetail(
        order_id=_integer(image["id"]),
        step=step,
        customer=image["customer"],
        status=status,
        previous_status=previous,
        at=last["at"],
        total=image["total"],
        lines=tuple(
            EventLine(
                product_id=_integer(line["product_id"]),
                variation_id=None if line.get("variation_id") is None else _integer(line["variation_id"]),
                name=line["name"],
                unit_price=line["unit_price"],
                quantity=_integer(line["quantity"]),
                line_total=line["line_total"],
            )
            for line in image["lines"]
        ),
    )
    return OrderEvent(detail_type=detail_type_of(status, step), detail=detail)


def _integer(value: Any) -> int:
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError(f"not an integer: {value!r}")
