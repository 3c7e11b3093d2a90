"""What stores send and receive for warranties."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shopfloor.platform.fields import Money, Text

MAX_COST = Decimal("1000000")
# A store's own identifier, kept exactly as sent: a UUID in any case, or the store's own code.
STORE_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


Cost = Annotated[Decimal, Money(above=Decimal(0), at_most=MAX_COST), Field(description="The item's price.")]


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

    store_uuid: Annotated[
        str,
        StringConstraints(pattern=STORE_ID_PATTERN),
        Field(description="The store's own identifier: 1 to 64 letters, digits, `-` or `_`."),
    ]
    item_type: Annotated[str, Text(50)]
    item_sku: Annotated[str, Text(100)]
    item_cost: Cost
    item_title: Annotated[str, Text(200)]


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
