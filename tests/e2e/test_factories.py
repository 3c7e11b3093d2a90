"""The factories API suite of tests/integration, against the deployed API."""

from tests.integration.factories.test_factories import *  # noqa: F403 - the same tests, another base_url
