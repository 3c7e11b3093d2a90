"""The menu suite of tests/integration, against the deployed API (its demo menu loaded first with
`make seed ARGS="--api-url <ApiUrl>"`)."""

from tests.integration.shop.test_menu import *  # noqa: F403 - the same tests, another base_url
