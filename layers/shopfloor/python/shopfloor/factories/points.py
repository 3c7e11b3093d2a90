"""A factory's chart points: slices by time, chunks for storage, and the packed form of a chunk.

A chart is stored as chunks of up to POINTS_PER_CHUNK consecutive points, one DynamoDB item each,
so no item holds a whole large chart (an item holds at most 400 KB) and a chart of 150,000 points
is written in 150 items rather than 150,000. DynamoDB bills writes by the kilobyte, so chunks cost
the same write units as one item per point would for the bytes, without the per-item overhead.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

POINTS_PER_CHUNK = 1000
# Signed 64-bit, little-endian: 24 bytes a point, 24 KB a full chunk.
_TYPECODE = "q"
_SWAP = sys.byteorder != "little"


@dataclass(frozen=True)
class Points:
    """Parallel series, oldest first: the i-th point is (time[i], actual[i], goal[i])."""

    time: list[int]
    actual: list[int]
    goal: list[int]

    def __len__(self) -> int:
        return len(self.time)

    def between(self, start: int | None, end: int | None) -> Points:
        """The points with start <= time <= end (an absent bound: no limit on that side)."""
        first = 0 if start is None else bisect_left(self.time, start)
        last = len(self.time) if end is None else bisect_right(self.time, end)
        return self.slice(first, last)

    def slice(self, first: int, last: int) -> Points:
        if first == 0 and last >= len(self.time):
            return self
        return Points(self.time[first:last], self.actual[first:last], self.goal[first:last])

    def chunks(self, size: int = POINTS_PER_CHUNK) -> Iterator[Points]:
        for first in range(0, len(self.time), size):
            yield self.slice(first, first + size)

    def as_chart_data(self) -> dict[str, list[int]]:
        return {
            "sprocket_production_actual": self.actual,
            "sprocket_production_goal": self.goal,
            "time": self.time,
        }


def concatenate(parts: Sequence[Points]) -> Points:
    if len(parts) == 1:
        return parts[0]
    time: list[int] = []
    actual: list[int] = []
    goal: list[int] = []
    for part in parts:
        time += part.time
        actual += part.actual
        goal += part.goal
    return Points(time, actual, goal)


def pack(values: Sequence[int]) -> bytes:
    packed = array(_TYPECODE, values)
    if _SWAP:
        packed.byteswap()
    return packed.tobytes()


def unpack(data: bytes) -> list[int]:
    values = array(_TYPECODE)
    values.frombytes(data)
    if _SWAP:
        values.byteswap()
    return values.tolist()
