"""The orders suite of tests/integration, against the deployed API."""

from tests.integration.shop.test_orders import *  # noqa: F403 - the same tests, another base_url
