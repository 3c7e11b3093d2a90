"""What clients send and receive for sprockets."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    PlainSerializer,
    StrictInt,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

MAX_TEETH = 10_000
MIN_DIMENSION = 0.000001
MAX_DIMENSION = 1_000_000


def _number(value: object) -> object:
    """A JSON number: neither a string of digits nor a boolean (which Python counts as an int)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("number_type", "Input should be a number")
    return value


def _as_sent(value: float) -> int | float:
    """5 for 5.0: a whole dimension goes back out as the integer it was sent as."""
    return int(value) if value.is_integer() else value


Dimension = Annotated[
    float,
    Field(ge=MIN_DIMENSION, le=MAX_DIMENSION, allow_inf_nan=False),
    BeforeValidator(_number),
    PlainSerializer(_as_sent),
]
Teeth = Annotated[StrictInt, Field(gt=0, le=MAX_TEETH)]


EXAMPLE_SPROCKET: dict[str, JsonValue] = {"teeth": 5, "pitch_diameter": 5, "outside_diameter": 6, "pitch": 1}


class SprocketIn(BaseModel):
    """A sprocket as created (POST) or fully replaced (PUT). Unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [EXAMPLE_SPROCKET]})

    teeth: Teeth
    pitch_diameter: Dimension
    outside_diameter: Dimension = Field(description="Larger than the pitch diameter.")
    pitch: Dimension

    @field_validator("outside_diameter")
    @classmethod
    def _larger_than_pitch_diameter(cls, value: float, info: ValidationInfo) -> float:
        pitch_diameter = info.data.get("pitch_diameter")
        if pitch_diameter is not None and value <= pitch_diameter:
            raise PydanticCustomError(
                "outside_diameter",
                "must be larger than pitch_diameter ({pitch_diameter})",
                {"pitch_diameter": _as_sent(pitch_diameter)},
            )
        return value


class _Identified(BaseModel):
    id: int


class Sprocket(SprocketIn, _Identified):
    """A stored sprocket: `id` first, then the fields of SprocketIn."""


class SprocketsPage(BaseModel):
    sprockets: list[Sprocket]
