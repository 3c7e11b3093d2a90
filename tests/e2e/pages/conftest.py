"""The browser tests of tests/browser through a deployed site's pages:
`SITE_URL=https://<id>.cloudfront.net/app/ make e2e` (the stack's `SiteUrl` output).

Skipped when SITE_URL is not set (as in `make test`, which has no AWS account); no local cloud is
started. The API answers on the site's own origin (CloudFront sends every API path to it), so the
few calls the tests make themselves (tests/browser/api.py) go there too. A deployed stack is shared
and has no demo users, so here:

- the customer is signed up on the spot; the manager is one an operator made (README:
  admin-add-user-to-group), given by SHOPFLOOR_MANAGER_EMAIL and SHOPFLOOR_MANAGER_PASSWORD as for
  the shop's API suites: the tests that sign in as a manager are skipped without them;
- the tests that order from the demo menu are skipped unless it is on the stack
  (`make seed ARGS="--api-url <ApiUrl>"` with the manager's variables loads it);
- nothing assumes the data is the tests' alone: the board's weight (its first load lists everyone's
  orders) is not measured, the factories page's tests that expect exactly the demo factories are
  skipped (test_factory_pages.py), and so are the screenshots (of the local cloud's demo scene);
- the page weights measured are shown at the end of the run, and not written over the local
  cloud's (build/screenshots/page-weights.json).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Playwright

from infra.seed import DEMO_MENU_FILE, MenuProduct, manager_from_environ, read_menu_file
from tests.browser import api, chromium, weight
from tests.browser.conftest import screenshots_dir, visitor, weigh
from tests.browser.pages import APP, PASSWORD, Account, unique_email

__all__ = ["screenshots_dir", "visitor", "weigh"]

SITE_URL = "SITE_URL"
DEPLOYED_WEIGHTS = pytest.StashKey[list[weight.PageWeight]]()


def site_origin(site_url: str) -> str:
    """The origin of the site's URL (`https://<id>.cloudfront.net/app/`): the pages are at /app/ on
    it, and the API at its root; ValueError for anything else."""
    parts = urlsplit(site_url.strip())
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or parts.path.rstrip("/") not in ("", APP.rstrip("/"))
        or parts.query
        or parts.fragment
    ):
        raise ValueError(
            f"{SITE_URL}={site_url!r}: expected the stack's SiteUrl output, https://<id>.cloudfront.net{APP}"
        )
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture(scope="session")
def base_url() -> str:
    site_url = os.environ.get(SITE_URL, "").strip()
    if not site_url:
        pytest.skip(f"{SITE_URL} is not set: no deployed site to test")
    try:
        return site_origin(site_url)
    except ValueError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def browser(base_url: str, playwright: Playwright) -> Iterator[Browser]:
    """Chromium, once the site is known (without SITE_URL nothing is launched)."""
    launched = chromium.launch(playwright)
    yield launched
    launched.close()


@dataclass(frozen=True)
class SignedUp:
    email: str
    password: str = field(repr=False)


@pytest.fixture(scope="session")
def customer_account(base_url: str) -> Account:
    """A customer signed up on the spot (a deployed stack has no demo customer)."""
    email = unique_email("e2e-customer")
    api.sign_up(base_url, email, PASSWORD)
    return SignedUp(email, PASSWORD)


@pytest.fixture(scope="session")
def manager_account(base_url: str) -> Account:
    """The manager an operator made: SHOPFLOOR_MANAGER_EMAIL and SHOPFLOOR_MANAGER_PASSWORD."""
    manager = manager_from_environ(os.environ)
    if manager is None:
        pytest.skip(
            "SHOPFLOOR_MANAGER_EMAIL and SHOPFLOOR_MANAGER_PASSWORD are not set: a deployed stack has "
            "no demo manager (README: admin-add-user-to-group makes one)"
        )
    return manager


@pytest.fixture(scope="session")
def fresh_data() -> bool:
    """A deployed stack is shared: what its pages list of everyone's grows with every run."""
    return False


@pytest.fixture(scope="session")
def demo_menu(base_url: str) -> None:
    """The tests order from the demo menu (seeds/menu.json): skipped unless it is on the stack."""
    differences = menu_differences(api.Caller(base_url, {}).get("/menu"), read_menu_file(DEMO_MENU_FILE))
    if differences:
        pytest.skip(
            f"the demo menu is not on the stack ({'; '.join(differences[:3])}): load it with "
            'make seed ARGS="--api-url <ApiUrl>" and SHOPFLOOR_MANAGER_EMAIL, SHOPFLOOR_MANAGER_PASSWORD'
        )


def menu_differences(menu: list[dict[str, Any]], demo: list[MenuProduct]) -> list[str]:
    """What of the demo menu is missing from `menu` (GET /menu), or priced otherwise."""
    listed = {str(product["name"]).casefold(): product for product in menu}
    differences = []
    for product in demo:
        found = listed.get(product.name.casefold())
        if found is None:
            differences.append(f"no {product.name}")
            continue
        if Decimal(str(found["price"])) != Decimal(str(product.price)):
            differences.append(f"{product.name} at {found['price']}, not {product.price:.2f}")
        variations = {str(option["name"]).casefold(): option for option in found.get("variations", [])}
        for variation in product.variations:
            option = variations.get(variation.name.casefold())
            if option is None:
                differences.append(f"no {product.name} ({variation.name})")
            elif Decimal(str(option["price_change"])) != Decimal(str(variation.price_change)):
                differences.append(
                    f"{product.name} ({variation.name}) at +{option['price_change']}, "
                    f"not +{variation.price_change:.2f}"
                )
    return differences


@pytest.fixture(scope="session")
def page_weights(request: pytest.FixtureRequest) -> list[weight.PageWeight]:
    """The weights measured through the deployed site: shown at the end of the run, not written
    over the local cloud's record."""
    return request.config.stash.setdefault(DEPLOYED_WEIGHTS, [])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    measured = config.stash.get(DEPLOYED_WEIGHTS, [])
    if measured:
        terminalreporter.write_sep("-", "page weight through the deployed site")
        terminalreporter.write_line(weight.table(sorted(measured, key=lambda page: page.page)))
