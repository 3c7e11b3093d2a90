"""What clients send and receive for the menu; `MenuView` is also what the orders read to price lines."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from shopfloor.platform.fields import Amount, Money, Text

MAX_PRICE = Decimal("10000")
Name = Annotated[str, Text(100)]
Description = Annotated[str | None, Field(max_length=500, description="At most 500 characters, or null.")]
Price = Annotated[Decimal, Money(above=Decimal(0), at_most=MAX_PRICE), Field(description="More than 0.")]
PriceChange = Annotated[
    Decimal,
    Money(at_least=Decimal(0), at_most=MAX_PRICE),
    Field(description="Added to the product's price for this variation; 0 or more."),
]


class Variation(BaseModel):
    id: int
    name: str
    price_change: Amount


class MenuProduct(BaseModel):
    id: int
    name: str
    description: str | None
    price: Amount
    variations: list[Variation] = Field(description="Not deleted, in the order they were added.")


class MenuView(BaseModel):
    """The menu as served: the products not deleted, each with its variations not deleted, by name."""

    model_config = ConfigDict(frozen=True)

    products: tuple[MenuProduct, ...] = ()

    def product(self, product_id: int) -> MenuProduct | None:
        return next((product for product in self.products if product.id == product_id), None)


def _documented_as(field_type: Any) -> WithJsonSchema:
    """A field a partial update may leave out but not send as null: documented as `field_type`
    alone (the None in its annotation stands for "left out", never for a null sent)."""
    return WithJsonSchema(TypeAdapter(field_type).json_schema())


def _not_null(value: object) -> object:
    if value is None:
        raise PydanticCustomError("not_null", "May be left out, but not null")
    return value


class MenuProductIn(BaseModel):
    """A new product, with no variations yet. Unknown fields are ignored."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [{"name": "Latte", "description": "Espresso and steamed milk.", "price": 4.1}]
        },
    )

    name: Name
    description: Description = None
    price: Price


class MenuProductPatch(BaseModel):
    """A partial update: only the fields sent change; `description: null` clears it, while `name`
    and `price` may be left out but not null. At least one of them is sent."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "anyOf": [{"required": ["name"]}, {"required": ["description"]}, {"required": ["price"]}],
            "examples": [{"price": 4.3}],
        },
    )

    name: Annotated[Name | None, _documented_as(Name)] = None
    description: Description = None
    price: Annotated[Price | None, _documented_as(Price)] = None

    @field_validator("name", "price", mode="before")
    @classmethod
    def _may_be_absent_but_not_null(cls, value: object) -> object:
        return _not_null(value)


class VariationIn(BaseModel):
    """A new variation of a product. Unknown fields are ignored."""

    model_config = ConfigDict(
        extra="ignore", json_schema_extra={"examples": [{"name": "Vanilla", "price_change": 0.55}]}
    )

    name: Name
    price_change: PriceChange


class VariationPatch(BaseModel):
    """A partial update: only the fields sent change, neither of them null. At least one is sent."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "anyOf": [{"required": ["name"]}, {"required": ["price_change"]}],
            "examples": [{"price_change": 0.6}],
        },
    )

    name: Annotated[Name | None, _documented_as(Name)] = None
    price_change: Annotated[PriceChange | None, _documented_as(PriceChange)] = None

    @field_validator("name", "price_change", mode="before")
    @classmethod
    def _may_be_absent_but_not_null(cls, value: object) -> object:
        return _not_null(value)
