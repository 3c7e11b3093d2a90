"""Screenshots of every page at a phone's and a desktop's size, taken last in the run, into
build/screenshots/ (git-ignored). With SHOPFLOOR_README_IMAGES=<folder> (`make screenshots`) the
desktop menu and board are also written there as menu.png and board.png, the README's images.

The scene is set up over the API (other customers' orders in each column of the board); the
customer then orders through the menu page itself, so it shows a current order and a basket."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from infra.local.users import DEMO_CUSTOMER, DEMO_MANAGER
from infra.topology import ROOT
from tests.browser import api, weight
from tests.browser.conftest import Visitor
from tests.browser.pages import (
    DESKTOP,
    VIEWPORTS,
    add_to_basket,
    sign_in_customer,
    sign_in_manager,
)

pytestmark = pytest.mark.browser

README_IMAGES = os.environ.get("SHOPFLOOR_README_IMAGES", "").strip()
CUSTOMER = "sam@example.com"


@pytest.fixture(scope="module")
def scene(base_url: str) -> str:
    """The customer who orders on the menu page; the board already has an order in each column."""
    api.sign_up(base_url, CUSTOMER, "Shop-test-1")
    other = api.sign_in(base_url, DEMO_CUSTOMER.email, DEMO_CUSTOMER.password)
    manager = api.sign_in(base_url, DEMO_MANAGER.email, DEMO_MANAGER.password)
    ready = api.place_order(other, [(1, "Hot Chocolate", "Medium"), (2, "Donuts", "Glazed")], "in_house")
    api.move(manager, ready, "preparation", "ready")
    preparing = api.place_order(other, [(2, "Cappuccino", "Large")], "take_away")
    api.move(manager, preparing, "preparation")
    api.place_order(other, [(1, "Iced Drinks", "Smoothie"), (1, "Tea", None)], "take_away")
    return CUSTOMER


def shoot(page: Page, name: str, folder: Path) -> list[str]:
    """The page at each viewport's size (the same page resized: signing in once per visitor keeps
    the run short); what is wider than the screen, which on a phone is a layout fault."""
    page.wait_for_load_state("networkidle")
    too_wide = []
    for viewport in VIEWPORTS:
        page.set_viewport_size({"width": viewport.width, "height": viewport.height})
        page.screenshot(path=folder / f"{name}-{viewport}.png", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > viewport.width:
            too_wide.append(f"{name}.html is {width} px wide on a {viewport.width} px {viewport}")
    return too_wide


def test_screenshots_of_every_page(visitor: Visitor, scene: str, screenshots_dir: Path) -> None:
    too_wide: list[str] = []
    anyone = visitor(DESKTOP)
    anyone.goto("/app/")
    expect(anyone.locator("meta[name=viewport]")).to_have_attribute(
        "content", re.compile(r"width=device-width")
    )
    too_wide += shoot(anyone, "index", screenshots_dir)
    anyone.goto("/app/factories.html")
    anyone.locator("#factories li[data-factory-id]").first.click()
    anyone.wait_for_function(weight.CHART_LOADED)
    too_wide += shoot(anyone, "factories", screenshots_dir)

    customer = visitor(DESKTOP)
    sign_in_customer(customer, scene)
    add_to_basket(customer, "Latte", "Vanilla", quantity=2)
    add_to_basket(customer, "Tea")
    customer.locator("button#place-order").click()
    expect(customer.locator("#current-order .status")).to_have_text("waiting")
    add_to_basket(customer, "Donuts", "Boston Cream")
    too_wide += shoot(customer, "menu", screenshots_dir)

    manager = visitor(DESKTOP)
    sign_in_manager(manager, DEMO_MANAGER.email, DEMO_MANAGER.password)
    for column in ("waiting", "preparation", "ready"):
        expect(manager.locator(f"section#column-{column} article[data-order-id]").first).to_be_visible()
    too_wide += shoot(manager, "board", screenshots_dir)

    if README_IMAGES:
        folder = ROOT / README_IMAGES
        folder.mkdir(parents=True, exist_ok=True)
        for page, name in ((customer, "menu"), (manager, "board")):
            page.set_viewport_size({"width": DESKTOP.width, "height": DESKTOP.height})
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=folder / f"{name}.png")

    assert not too_wide, too_wide
