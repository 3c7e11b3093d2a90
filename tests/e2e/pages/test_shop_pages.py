"""The coffee shop's pages of tests/browser, through the deployed site (conftest.py says what is
skipped there, and why)."""

from tests.browser.test_shop_pages import *  # noqa: F403 - the same tests, through the deployed site
