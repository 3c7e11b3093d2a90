"""What a person would trip over on the pages (tests/browser/test_page_behaviour.py), through the
deployed site (conftest.py says what is skipped there, and why)."""

from tests.browser.test_page_behaviour import *  # noqa: F403 - the same tests, through the deployed site
