"""The products API suite of tests/integration, against the deployed API."""

from tests.integration.catalog.products.test_products import *  # noqa: F403 - the same tests, another base_url
