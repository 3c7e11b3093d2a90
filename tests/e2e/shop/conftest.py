"""The shop's signed-in clients against a deployed stack, which has no demo users: customers sign up
on the spot, and the manager is one an operator made (README: admin-add-user-to-group), given by
SHOPFLOOR_MANAGER_EMAIL and SHOPFLOOR_MANAGER_PASSWORD (the shop's suites are skipped without)."""

from __future__ import annotations

import os

import pytest

from tests.integration.shop.conftest import User, add_product, customer, other_customer, sign_in

__all__ = ["add_product", "customer", "manager", "other_customer"]


@pytest.fixture(scope="session")
def manager(base_url: str) -> User:
    email = os.environ.get("SHOPFLOOR_MANAGER_EMAIL", "")
    password = os.environ.get("SHOPFLOOR_MANAGER_PASSWORD", "")
    if not email or not password:
        pytest.skip("SHOPFLOOR_MANAGER_EMAIL and SHOPFLOOR_MANAGER_PASSWORD are not set")
    return sign_in(base_url, email, password)
