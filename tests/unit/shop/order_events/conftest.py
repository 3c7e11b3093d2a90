from __future__ import annotations

from tests.unit.shop.orders.conftest import _fresh_service, clock, orders, shop  # noqa: F401  (fixtures)
