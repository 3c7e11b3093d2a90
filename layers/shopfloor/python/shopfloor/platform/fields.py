"""Field types every context's schemas share, each documented by exactly the rules it enforces
(standard JSON Schema only: the OpenAPI document is the contract, and schemathesis holds us to it).

    name: Annotated[str, Text(200)]
    price: Annotated[Decimal, Money(above=Decimal(0), at_most=Decimal(1000))]
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler, PlainSerializer, WithJsonSchema
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

# Some character that is not white space: a name of spaces alone is no name.
NOT_BLANK = r"\S"


@dataclass(frozen=True)
class Text:
    """1 to `max_length` characters as sent, not all white space; kept without surrounding space."""

    max_length: int

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        checked = core_schema.str_schema(min_length=1, max_length=self.max_length, pattern=NOT_BLANK)
        return core_schema.no_info_after_validator_function(str.strip, checked)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return self.json_schema()

    def json_schema(self) -> JsonSchemaValue:
        return {"type": "string", "minLength": 1, "maxLength": self.max_length, "pattern": NOT_BLANK}


@dataclass(frozen=True)
class Money:
    """An exact amount: a JSON number (not a string, not a boolean) with at most 2 decimals, within
    the bounds, as a Decimal."""

    at_most: Decimal
    above: Decimal | None = None
    at_least: Decimal | None = None

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        amount = core_schema.decimal_schema(
            gt=self.above, ge=self.at_least, le=self.at_most, decimal_places=2
        )
        return core_schema.no_info_before_validator_function(_a_json_number, amount)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        documented: dict[str, Any] = {"type": "number", "multipleOf": 0.01, "maximum": float(self.at_most)}
        if self.above is not None:
            documented["exclusiveMinimum"] = float(self.above)
        if self.at_least is not None:
            documented["minimum"] = float(self.at_least)
        return documented


def _as_number(amount: Decimal) -> float:
    # Amounts have at most 2 decimals and stay far below 2**53 cents: the float prints exactly.
    return float(amount)


# An exact amount as the API sends it: a Decimal inside, a JSON number with at most 2 decimals.
Amount = Annotated[
    Decimal,
    PlainSerializer(_as_number, return_type=float),
    WithJsonSchema({"type": "number", "description": "Exact, with at most 2 decimals."}),
]


def _a_json_number(value: object) -> object:
    # pydantic's lax Decimal would also take "12.5" and true.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise PydanticCustomError("decimal_type", "Input should be a number")
    return value
