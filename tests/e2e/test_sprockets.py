"""The sprockets API suite of tests/integration, against the deployed API."""

from tests.integration.sprockets.test_sprockets import *  # noqa: F403 - the same tests, another base_url
