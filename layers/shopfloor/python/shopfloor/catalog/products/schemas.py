"""What clients send and receive for products."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(max_length=2000)]


class ProductIn(BaseModel):
    """A product as created (POST) or fully replaced (PUT). Unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [{"name": "Kettle"}]})

    name: Name
    description: Description | None = None


class ProductPatch(BaseModel):
    """A partial update: only the fields sent change; `description: null` clears it."""

    model_config = ConfigDict(extra="ignore")

    name: Name | None = None
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
