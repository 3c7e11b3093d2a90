"""The rule table that prices warranties: by item type, then by cost band.

A plan prices the cost like tax brackets: each band's rate applies to the part of the cost that
falls in that band, so the price grows with the cost and never jumps down at a band's edge. The
price is at least the plan's minimum and is rounded to cents (half up). The duration is that of
the band the whole cost falls in, and never shortens as the cost grows. A type the table does not
list (compared without case or surrounding spaces) falls under the general plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
GENERAL = "general"


@dataclass(frozen=True)
class Band:
    """Costs up to `up_to` (inclusive; None: no limit), above the previous band's."""

    up_to: Decimal | None
    rate_percent: Decimal
    duration_months: int


@dataclass(frozen=True)
class Plan:
    item_type: str
    minimum_price: Decimal
    bands: tuple[Band, ...]

    def __post_init__(self) -> None:
        limits = [band.up_to for band in self.bands]
        if not self.bands or limits[-1] is not None or None in limits[:-1]:
            raise ValueError(f"plan {self.item_type}: only the last band is unlimited")
        bounded = [limit for limit in limits if limit is not None]
        if bounded != sorted(set(bounded)):
            raise ValueError(f"plan {self.item_type}: band limits must increase")
        durations = [band.duration_months for band in self.bands]
        if durations != sorted(durations) or any(band.rate_percent < 0 for band in self.bands):
            raise ValueError(f"plan {self.item_type}: durations must not shorten, rates not be negative")


@dataclass(frozen=True)
class Quote:
    plan: str
    price: Decimal
    duration_months: int


def _band(up_to: str | None, rate_percent: str, duration_months: int) -> Band:
    return Band(None if up_to is None else Decimal(up_to), Decimal(rate_percent), duration_months)


PLANS: tuple[Plan, ...] = (
    Plan(
        "electronics",
        Decimal("9.99"),
        (_band("200", "10", 12), _band("1000", "8", 24), _band("5000", "6", 36), _band(None, "4", 36)),
    ),
    Plan(
        "appliances", Decimal("14.99"), (_band("500", "9", 24), _band("2000", "7", 36), _band(None, "5", 60))
    ),
    Plan("furniture", Decimal("19.99"), (_band("1000", "6", 24), _band(None, "4", 60))),
    Plan(
        "jewelry", Decimal("24.99"), (_band("1000", "12", 12), _band("10000", "9", 24), _band(None, "7", 36))
    ),
    Plan(GENERAL, Decimal("4.99"), (_band("100", "15", 12), _band("1000", "10", 12), _band(None, "8", 24))),
)
_BY_TYPE = {plan.item_type: plan for plan in PLANS}


def plan_for(item_type: str) -> Plan:
    return _BY_TYPE.get(item_type.strip().lower(), _BY_TYPE[GENERAL])


def quote(item_type: str, cost: Decimal) -> Quote:
    """The warranty's price and duration for an item of this type and cost (cost > 0)."""
    plan = plan_for(item_type)
    price = Decimal(0)
    lower = Decimal(0)
    duration = plan.bands[-1].duration_months
    for band in plan.bands:
        upper = cost if band.up_to is None else min(cost, band.up_to)
        if upper > lower:
            price += (upper - lower) * band.rate_percent / HUNDRED
        if band.up_to is None or cost <= band.up_to:
            duration = band.duration_months
            break
        lower = band.up_to
    price = max(price, plan.minimum_price).quantize(CENT, rounding=ROUND_HALF_UP)
    return Quote(plan=plan.item_type, price=price, duration_months=duration)
