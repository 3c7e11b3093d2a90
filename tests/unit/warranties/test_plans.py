"""The rule table prices warranties deterministically, by type and cost band."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from shopfloor.warranties.plans import GENERAL, PLANS, Band, Plan, plan_for, quote


@pytest.mark.parametrize(
    ("item_type", "cost", "price", "months"),
    [
        ("electronics", "50", "9.99", 12),  # the plan's minimum
        ("electronics", "200", "20.00", 12),  # 10% of 200
        ("electronics", "1000", "84.00", 24),  # 20 + 8% of 800
        ("electronics", "1299.99", "102.00", 36),  # 84 + 6% of 299.99 = 101.9994
        ("furniture", "2500", "120.00", 60),  # 60 + 4% of 1500
        ("toys", "80", "12.00", 12),  # not listed: the general plan, 15% of 80
        ("  Electronics ", "200", "20.00", 12),  # type compared without case or spaces
    ],
)
def test_a_quote_follows_the_table(item_type: str, cost: str, price: str, months: int) -> None:
    priced = quote(item_type, Decimal(cost))

    assert priced.price == Decimal(price)
    assert priced.duration_months == months


def test_prices_are_rounded_to_cents_half_up() -> None:
    assert quote("general", Decimal("33.30")).price == Decimal("5.00")  # 4.995
    assert quote("general", Decimal("100.03")).price == Decimal("15.00")  # 15.003


def test_an_unlisted_type_falls_under_the_general_plan() -> None:
    assert plan_for("garden gnome").item_type == GENERAL
    assert quote("garden gnome", Decimal("500")).plan == GENERAL


@pytest.mark.parametrize("plan", PLANS, ids=lambda plan: plan.item_type)
def test_within_a_type_a_higher_cost_never_gives_a_lower_price_or_a_shorter_warranty(plan: Plan) -> None:
    costs = [Decimal(cents) / 100 for cents in range(1, 2_000_000, 997)]
    edges = [band.up_to for band in plan.bands if band.up_to is not None]
    costs += [edge + delta for edge in edges for delta in (Decimal("-0.01"), 0, Decimal("0.01"))]
    quotes = [quote(plan.item_type, cost) for cost in sorted(costs)]

    for before, after in itertools.pairwise(quotes):
        assert after.price >= before.price
        assert after.duration_months >= before.duration_months
        assert after.price == after.price.quantize(Decimal("0.01"))


def test_the_same_item_always_gets_the_same_quote() -> None:
    assert {quote("jewelry", Decimal("4321.09")) for _ in range(5)} == {quote("jewelry", Decimal("4321.09"))}


def test_a_plan_with_bands_out_of_order_is_refused() -> None:
    with pytest.raises(ValueError, match="increase"):
        Plan(
            "bad",
            Decimal(1),
            (
                Band(Decimal(100), Decimal(5), 12),
                Band(Decimal(50), Decimal(5), 12),
                Band(None, Decimal(1), 12),
            ),
        )
    with pytest.raises(ValueError, match="shorten"):
        Plan("bad", Decimal(1), (Band(Decimal(100), Decimal(5), 24), Band(None, Decimal(5), 12)))
