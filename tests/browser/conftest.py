"""The browser tests' machinery: one local cloud and one Chromium for the session, a fresh browser
context (a visitor of their own) per page a test opens, the page weights printed at the end."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from tests.browser import chromium, weight
from tests.browser.pages import DESKTOP, TIMEOUT_MS, Viewport, new_context
from tests.integration.cloud import LocalCloud, Ports, start_cloud

WEIGHTS = pytest.StashKey[list[weight.PageWeight]]()

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def starting_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Future[LocalCloud]]:
    """A local cloud of the browser tests' own (its pages and API on one origin), on free ports with
    a fresh data folder: the integration suite's cloud is not shared, so what these tests count
    (orders, the menu, page weights) is theirs alone. It takes about 7 s to start: Chromium is
    launched meanwhile."""
    data_dir = tmp_path_factory.mktemp("browser-cloud")
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="browser-cloud") as starter:
        future = starter.submit(start_cloud, Ports.free(), data_dir)
        yield future
        try:
            local_cloud = future.result()
        except BaseException:  # start_cloud failed the test (pytest.fail), having stopped what it started
            return
        assert local_cloud.stop() == 0, local_cloud.output()


@pytest.fixture(scope="session")
def cloud(starting_cloud: Future[LocalCloud], browser: Browser) -> LocalCloud:
    """The cloud once it answers `GET /health` (after Chromium, which starts while it does)."""
    return starting_cloud.result()


@pytest.fixture(scope="session")
def base_url(cloud: LocalCloud) -> str:
    return cloud.base_url


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if chromium.executable() is None:
        pytest.fail(chromium.MISSING, pytrace=False)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(starting_cloud: Future[LocalCloud], playwright: Playwright) -> Iterator[Browser]:
    launched = chromium.launch(playwright)
    yield launched
    launched.close()


Visitor = Callable[..., Page]


@pytest.fixture
def visitor(browser: Browser, base_url: str) -> Iterator[Visitor]:
    """`visitor(viewport)`: a page in a browser context of its own (no storage, no cache); more
    pages of the same visitor with `page.context.new_page()`. An uncaught error in any page's
    script fails the test."""
    contexts = []
    errors: list[str] = []

    def open_page(viewport: Viewport = DESKTOP) -> Page:
        context = new_context(browser, base_url, viewport)
        context.on("weberror", lambda web_error: errors.append(f"{web_error.page}: {web_error.error}"))
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
    assert not errors, "uncaught errors in the pages' scripts:\n" + "\n".join(errors)


@pytest.fixture(scope="session")
def page_weights(request: pytest.FixtureRequest) -> Iterator[list[weight.PageWeight]]:
    """The weights the tests measured; written to build/screenshots/page-weights.json at the end."""
    measured = request.config.stash.setdefault(WEIGHTS, [])
    yield measured
    if measured:
        weight.write(sorted(measured, key=lambda page: page.page))


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    weight.SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    return weight.SCREENSHOTS_DIR


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The screenshots are taken last, of the pages as the other tests left them."""
    last = [item for item in items if item.path.name == "test_screenshots.py"]
    items[:] = [item for item in items if item not in last] + last


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    measured = config.stash.get(WEIGHTS, [])
    if measured:
        terminalreporter.write_sep("-", "page weight")
        terminalreporter.write_line(weight.table(sorted(measured, key=lambda page: page.page)))
        terminalreporter.write_line(f"(written to {weight.WEIGHTS_FILE})")
