"""The screenshots of tests/browser are not taken through a deployed site: they picture the local
cloud's demo scene (the demo users' orders in every column of the board), and would leave a customer
with a known password on a shared stack. `make browser` and `make screenshots` take them."""

import pytest

from tests.browser.test_screenshots import *  # noqa: F403 - the same test, skipped with its reason

pytestmark = pytest.mark.skip(
    reason="screenshots are of the local cloud's demo scene: make browser, make screenshots"
)
