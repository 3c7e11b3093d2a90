"""What clients send and receive for factories."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    model_validator,
)
from pydantic_core import PydanticCustomError

from shopfloor.factories.points import Points

# One POST carries a whole chart: at this many points its JSON stays well inside Lambda's 6 MB
# payload (about 20 bytes a point as clients send it, at most 35 compact, as we answer it).
MAX_POINTS = 150_000
MAX_TIME = 253_402_300_799  # 9999-12-31T23:59:59Z
MAX_PRODUCTION = 1_000_000_000

ACTUAL = "sprocket_production_actual"
GOAL = "sprocket_production_goal"
TIME = "time"


def _integers(value: object, maximum: int) -> list[int]:
    """A series: 1 to MAX_POINTS whole numbers from 0 to `maximum` (JSON integers, not 1.0 or "1").

    Checked in one pass that reports the first bad item, so a huge bad chart gets one message per
    series rather than one per point."""
    if not isinstance(value, list):
        raise PydanticCustomError("list_type", "Input should be a list of integers")
    if not 1 <= len(value) <= MAX_POINTS:
        raise PydanticCustomError(
            "series_length",
            "must hold from 1 to {maximum} points, not {length}",
            {"maximum": MAX_POINTS, "length": len(value)},
        )
    for index, item in enumerate(value):
        if type(item) is not int or not 0 <= item <= maximum:
            raise PydanticCustomError(
                "series_item",
                "item {index} must be an integer from 0 to {maximum}, not {item}",
                {"index": index, "maximum": maximum, "item": json.dumps(item, default=repr)[:40]},
            )
    return value


def _production(value: object) -> list[int]:
    return _integers(value, MAX_PRODUCTION)


def _times(value: object) -> list[int]:
    times = _integers(value, MAX_TIME)
    for index in range(1, len(times)):
        if times[index] <= times[index - 1]:
            raise PydanticCustomError(
                "series_order",
                "times must be strictly increasing: item {index} ({time}) is not after item "
                "{previous_index} ({previous})",
                {
                    "index": index,
                    "time": times[index],
                    "previous_index": index - 1,
                    "previous": times[index - 1],
                },
            )
    return times


Production = Annotated[list[int], BeforeValidator(_production)]
Times = Annotated[
    list[int], BeforeValidator(_times), Field(description="Epoch seconds (UTC), strictly increasing.")
]


class ChartData(BaseModel):
    """Three equally long series: the i-th point is (time[i], actual[i], goal[i])."""

    model_config = ConfigDict(extra="ignore")

    sprocket_production_actual: Production
    sprocket_production_goal: Production
    time: Times

    @model_validator(mode="after")
    def _equally_long(self) -> ChartData:
        lengths = {name: len(getattr(self, name)) for name in (ACTUAL, GOAL, TIME)}
        if len(set(lengths.values())) > 1:
            described = ", ".join(f"{name} {length}" for name, length in lengths.items())
            raise PydanticCustomError(
                "series_lengths",
                "the series must be equally long, not {lengths}",
                {"lengths": described},
            )
        return self

    def points(self) -> Points:
        return Points(self.time, self.sprocket_production_actual, self.sprocket_production_goal)


EXAMPLE_CHART: dict[str, JsonValue] = {
    ACTUAL: [32, 29, 31],
    GOAL: [32, 30, 31],
    TIME: [1611194818, 1611194878, 1611194938],
}


class FactoryIn(BaseModel):
    """A factory as created: `{"chart_data": {...}}`, or `{"factory": {"chart_data": {...}}}` as in
    the sprocket challenge's seed file. Unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [{"chart_data": EXAMPLE_CHART}]})

    chart_data: ChartData

    @model_validator(mode="before")
    @classmethod
    def _unwrap_seed_entry(cls, value: Any) -> Any:
        if isinstance(value, dict) and "chart_data" not in value and isinstance(value.get("factory"), dict):
            return value["factory"]
        return value


class ChartSeries(BaseModel):
    """A chart as answered: the i-th point is (time[i], actual[i], goal[i]); empty where a range
    holds no point."""

    sprocket_production_actual: list[int]
    sprocket_production_goal: list[int]
    time: list[int] = Field(description="Epoch seconds (UTC), increasing.")


class FactoryOut(BaseModel):
    id: int
    chart_data: ChartSeries


class FactoriesPage(BaseModel):
    factories: list[FactoryOut]


class FactorySummaryOut(BaseModel):
    """A factory without its chart data (`GET /v1/factories?view=summary`)."""

    id: int
    points: int = Field(description="How many points its chart holds.")
    from_: int = Field(alias="from", description="Epoch seconds (UTC) of the chart's first point.")
    to: int = Field(description="Epoch seconds (UTC) of the chart's last point.")


class FactorySummariesPage(BaseModel):
    factories: list[FactorySummaryOut]
