"""What stores send and receive for warranties."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

MAX_COST = Decimal("1000000")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _a_uuid(value: object) -> object:
    # Checked, then kept as sent: ids that come from elsewhere stay as they are (docs/architecture.md).
    if not isinstance(value, str) or not _UUID.fullmatch(value):
        raise PydanticCustomError("uuid_parsing", "Input should be a valid UUID")
    return value


def _a_number(value: object) -> object:
    # JSON numbers only: pydantic's lax Decimal would also take "12.5" and true.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise PydanticCustomError("decimal_type", "Input should be a number")
    return value


def _text(max_length: int) -> object:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


Cost = Annotated[
    Decimal,
    BeforeValidator(_a_number),
    Field(gt=0, le=MAX_COST, decimal_places=2, description="The item's price, at most 2 decimals."),
]


class WarrantyIn(BaseModel):
    """An item sold in a store. Every field is required; unknown fields are ignored."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "store_uuid": "5b0c1f9e-8d2a-4c3e-9f1a-2b7d6e4c8a10",
                    "item_type": "electronics",
                    "item_sku": "TV-55-OLED",
                    "item_cost": 1299.99,
                    "item_title": "55-inch OLED television",
                }
            ]
        },
    )

    store_uuid: Annotated[str, BeforeValidator(_a_uuid)]
    item_type: Annotated[str, _text(50)]
    item_sku: Annotated[str, _text(100)]
    item_cost: Cost
    item_title: Annotated[str, _text(200)]


class Store(BaseModel):
    uuid: str
    created_at: str


class Item(BaseModel):
    type: str
    sku: str
    cost: float
    title: str


class Warranty(BaseModel):
    id: int
    store: Store
    item: Item
    warranty_price: float
    warranty_duration_months: int
    created_at: str


class PlanBand(BaseModel):
    up_to: float | None = Field(description="Upper cost of the band, inclusive; null: no limit.")
    rate_percent: float = Field(description="Percent of the part of the cost within this band.")
    duration_months: int = Field(description="Duration for an item whose cost falls in this band.")


class WarrantyPlan(BaseModel):
    item_type: str
    minimum_price: float
    bands: list[PlanBand]
