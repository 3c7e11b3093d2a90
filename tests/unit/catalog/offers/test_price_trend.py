from __future__ import annotations

from datetime import UTC, datetime

from shopfloor.catalog.offers.reader import price_trend

START = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
END = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def test_a_rise_over_the_period_from_the_price_in_effect_at_its_start() -> None:
    trend = price_trend(START, END, 200, True, [180, 250, 220])

    assert trend.model_dump(by_alias=True) == {
        "from": "2026-11-21T10:00:00Z",
        "to": "2026-11-22T10:00:00Z",
        "start_price": 200,
        "end_price": 220,
        "change_percent": 10.0,
        "min_price": 180,
        "max_price": 250,
    }


def test_a_fall_is_negative_and_rounded_to_two_decimals() -> None:
    trend = price_trend(START, END, 300, True, [200])

    assert trend.change_percent == -33.33


def test_without_a_price_before_the_period_the_first_recorded_one_starts_it() -> None:
    trend = price_trend(START, END, None, False, [120, 90])

    assert (trend.start_price, trend.end_price, trend.change_percent) == (120, 90, -25.0)


def test_no_change_in_the_period_is_a_flat_trend_at_the_price_in_effect() -> None:
    trend = price_trend(START, END, 150, True, [])

    assert (trend.start_price, trend.end_price, trend.change_percent) == (150, 150, 0.0)
    assert (trend.min_price, trend.max_price) == (150, 150)


def test_nothing_known_is_all_null() -> None:
    trend = price_trend(START, END, None, False, [])

    assert trend.start_price is None
    assert trend.change_percent is None
    assert trend.min_price is None


def test_periods_with_nothing_in_stock_are_left_out_of_min_and_max() -> None:
    trend = price_trend(START, END, None, True, [100, None, 80])

    assert (trend.start_price, trend.end_price, trend.change_percent) == (None, 80, None)
    assert (trend.min_price, trend.max_price) == (80, 100)
