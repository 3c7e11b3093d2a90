"""What more than one suite shares: the session's one Playwright driver, for the browser tests
against the local cloud (tests/browser) and the same tests through a deployed site
(tests/e2e/pages). Playwright's sync API allows one driver per thread, so a run of both suites
(`make test` with SITE_URL set) must share it. Imported only when a test asks for it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Playwright


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    from playwright.sync_api import sync_playwright

    from tests.browser import chromium

    if chromium.executable() is None:
        pytest.fail(chromium.MISSING, pytrace=False)
    with sync_playwright() as driver:
        yield driver
