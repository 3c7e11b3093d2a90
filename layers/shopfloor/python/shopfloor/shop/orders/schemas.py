"""What clients send and receive for orders."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StrictInt

from shopfloor.platform.fields import Amount
from shopfloor.shop.callers import Role
from shopfloor.shop.orders.flow import Status

MAX_LINES: Final = 20
MAX_QUANTITY: Final = 20
MAX_MENU_ID: Final = 10**18 - 1  # the shared allocator's ids: positive, at most 18 digits


class Location(StrEnum):
    IN_HOUSE = "in_house"
    TAKE_AWAY = "take_away"


MenuId = Annotated[StrictInt, Field(ge=1, le=MAX_MENU_ID)]

EXAMPLE_ORDER: dict[str, JsonValue] = {
    "location": "take_away",
    "lines": [
        {"product_id": 1, "variation_id": 3, "quantity": 2},
        {"product_id": 4, "variation_id": None, "quantity": 1},
    ],
}


class LineIn(BaseModel):
    """A product of the menu (with one of its variations, when it has any), and how many."""

    model_config = ConfigDict(extra="ignore")

    product_id: MenuId
    variation_id: MenuId | None = Field(
        default=None, description="Required for a product with variations; null (or absent) for one without."
    )
    quantity: Annotated[StrictInt, Field(ge=1, le=MAX_QUANTITY)]


class OrderIn(BaseModel):
    """An order as a customer places it. Unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [EXAMPLE_ORDER]})

    location: Location
    lines: list[LineIn] = Field(min_length=1, max_length=MAX_LINES)


class StatusChange(BaseModel):
    """The status a manager moves an order into."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [{"status": "preparation"}]})

    status: Status


class OrderLine(BaseModel):
    product_id: int
    variation_id: int | None
    name: str = Field(description='The product, and its variation in brackets: "Latte (Vanilla)".')
    unit_price: Amount = Field(description="The product's price plus the variation's, when placed.")
    quantity: int
    line_total: Amount


class Order(BaseModel):
    id: int
    status: Status
    location: Location
    customer: str = Field(description="The e-mail address of the customer who placed it.")
    lines: list[OrderLine]
    total: Amount
    created_at: str
    updated_at: str


class OrderEvent(BaseModel):
    """A status the order moved into, when, and by whom (the customer, or a manager)."""

    status: Status
    at: str
    by: Role
