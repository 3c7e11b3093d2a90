"""The warranties API suite of tests/integration, against the deployed API."""

from tests.integration.warranties.test_warranties_api import *  # noqa: F403 - the same tests, another base_url
