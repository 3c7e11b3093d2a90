"""The browser tests' machinery: one local cloud and one Chromium for the session, a fresh browser
context (a visitor of their own) per page a test opens, the page weights printed at the end.

What the tests may assume of the site besides its base URL comes from fixtures (`customer_account`,
`manager_account`, `fresh_data`, `demo_menu`): here the local cloud's, which has the demo users and
seeds, and data of these tests' alone; tests/e2e/pages/conftest.py gives a deployed stack's
instead (the same tests through a deployed site)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from infra.local.users import DEMO_CUSTOMER, DEMO_MANAGER
from tests.browser import chromium, weight
from tests.browser.pages import DESKTOP, TIMEOUT_MS, Account, Viewport, new_context
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
def browser(starting_cloud: Future[LocalCloud], playwright: Playwright) -> Iterator[Browser]:
    """Chromium, launched while the cloud starts (`playwright`, the session's one driver, is in
    tests/conftest.py)."""
    launched = chromium.launch(playwright)
    yield launched
    launched.close()


@pytest.fixture(scope="session")
def customer_account() -> Account:
    """A customer who exists: the local cloud's demo customer."""
    return DEMO_CUSTOMER


@pytest.fixture(scope="session")
def manager_account() -> Account:
    """A member of `managers`: the local cloud's demo manager."""
    return DEMO_MANAGER


@pytest.fixture(scope="session")
def fresh_data() -> bool:
    """Whether the site's data is these tests' alone (the cloud's fresh data folder), so that what a
    page lists of everyone's (the board's orders) is known and small."""
    return True


@pytest.fixture(scope="session")
def demo_menu() -> None:
    """The demo menu (seeds/menu.json) is on the site: the local cloud loads it as it starts."""


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


Weigh = Callable[[weight.Visit], None]


@pytest.fixture
def weigh(
    browser: Browser,
    base_url: str,
    page_weights: list[weight.PageWeight],
    fresh_data: bool,
    request: pytest.FixtureRequest,
) -> Weigh:
    """`weigh(visit)`: the page's first load, as its visitor (`customer_account` or
    `manager_account`), kept for the end of the run and checked against the budget. Skipped for a
    page that lists what everyone shares when the data is not the tests' alone."""

    def weigh_visit(visit: weight.Visit) -> None:
        if visit.shared and not fresh_data:
            pytest.skip(
                f"{visit.page}'s weight is not measured on a shared stack: its first load lists "
                f"{visit.shared} (the budget is checked on the local cloud: make browser)"
            )
        account = request.getfixturevalue(f"{visit.role}_account") if visit.role else None
        weight.check(weight.measure(browser, base_url, visit, account), page_weights)

    return weigh_visit


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
