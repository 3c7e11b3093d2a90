"""Chart points: slices by time, chunks, their packed form, and averaging for the picture."""

from __future__ import annotations

import pytest

from shopfloor.factories.chart import averaged
from shopfloor.factories.points import Points, concatenate, pack, unpack


@pytest.fixture
def aws() -> None:
    """Pure functions: none of the moto tables every other unit test gets (half a second each)."""


@pytest.fixture
def _fresh_services() -> None:
    """Nor the services built on them."""


POINTS = Points(time=[10, 20, 30, 40, 50], actual=[1, 2, 3, 4, 5], goal=[5, 4, 3, 2, 1])


@pytest.mark.parametrize(
    "values",
    [[], [0], [1, 2, 3], [2**63 - 1, -(2**63), 0, 253_402_300_799]],
    ids=["none", "zero", "few", "bounds"],
)
def test_packed_values_unpack_unchanged(values: list[int]) -> None:
    assert unpack(pack(values)) == values


def test_a_packed_value_takes_eight_bytes() -> None:
    assert len(pack(range(1000))) == 8000


@pytest.mark.parametrize(
    ("start", "end", "times"),
    [
        (None, None, [10, 20, 30, 40, 50]),
        (20, 40, [20, 30, 40]),
        (21, 39, [30]),
        (None, 25, [10, 20]),
        (45, None, [50]),
        (51, None, []),
        (30, 30, [30]),
    ],
)
def test_between_keeps_the_points_in_the_inclusive_range(
    start: int | None, end: int | None, times: list[int]
) -> None:
    kept = POINTS.between(start, end)

    assert kept.time == times
    assert kept.actual == [POINTS.actual[POINTS.time.index(time)] for time in times]


def test_chunks_split_in_order_and_concatenate_back() -> None:
    chunks = list(POINTS.chunks(2))

    assert [chunk.time for chunk in chunks] == [[10, 20], [30, 40], [50]]
    assert concatenate(chunks) == POINTS


def test_averaged_draws_each_run_as_its_mean_or_its_first() -> None:
    assert averaged([1, 2, 3, 4, 5], 2) == [1.5, 3.5, 5.0]
    assert averaged([10, 20, 30, 40, 50], 2, first=True) == [10.0, 30.0, 50.0]
    assert averaged([1, 2], 1) == [1.0, 2.0]
