"""What clients send and receive for products."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from shopfloor.platform.fields import Text

Name = Annotated[str, Text(200)]
Description = Annotated[str, StringConstraints(max_length=2000)]


class ProductIn(BaseModel):
    """A product as created (POST) or fully replaced (PUT). Unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [{"name": "Kettle"}]})

    name: Name
    description: Description | None = None


class ProductPatch(BaseModel):
    """A partial update: only the fields sent change; `description: null` clears it. At least one
    of them is sent (400 "No input data provided" otherwise)."""

    model_config = ConfigDict(
        extra="ignore", json_schema_extra={"anyOf": [{"required": ["name"]}, {"required": ["description"]}]}
    )

    # Absent, or a name: null is refused (a product always has one).
    name: Annotated[Name | None, WithJsonSchema(Text(200).json_schema())] = None
    description: Description | None = None

    @field_validator("name", mode="before")
    @classmethod
    def _name_may_be_absent_but_not_null(cls, value: object) -> object:
        if value is None:
            raise PydanticCustomError("string_type", "Input should be a valid string")
        return value


class Product(BaseModel):
    id: int
    name: str
    description: str | None
