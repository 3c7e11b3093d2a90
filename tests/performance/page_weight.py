"""Page weight of the web pages: each page's first load in Chromium (cache off), the bytes on the
wire by kind, against the 100 kB budget. It measures again, as the browser tests do
(tests/browser/weight.py), on a local cloud of its own; it times nothing. Then the board once more,
full: 50 orders of three lines in each of its columns, the most it shows."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from playwright.sync_api import sync_playwright

from infra.local.users import DEMO_MANAGER
from tests.browser import api, chromium, weight
from tests.integration.cloud import Ports, start_cloud

BOARD_ORDERS = 50  # board.js asks for this many orders of each status
LINES = [(2, "Latte", "Vanilla"), (1, "Cappuccino", "Large"), (3, "Latte", "Hazelnut")]


def fill_the_board(base_url: str) -> None:
    """50 orders waiting, 50 in preparation and 50 ready, placed by one customer."""
    customer = api.sign_up(base_url, "bench-board@example.com", "Bench-board-1")
    manager = api.sign_in(base_url, DEMO_MANAGER.email, DEMO_MANAGER.password)
    moves: list[tuple[str, ...]] = [(), ("preparation",), ("preparation", "ready")]
    for statuses in moves:
        for _ in range(BOARD_ORDERS):
            api.move(manager, api.place_order(customer, LINES, "take_away"), *statuses)


def run() -> str:
    if chromium.executable() is None:
        return chromium.MISSING
    with tempfile.TemporaryDirectory(prefix="shopfloor-bench-pages-") as data_dir:
        cloud = start_cloud(Ports.free(), Path(data_dir))
        try:
            with sync_playwright() as driver:
                browser = chromium.launch(driver)
                try:
                    measured = [
                        page
                        for visit in weight.VISITS
                        for page in weight.measure(browser, cloud.base_url, visit)
                    ]
                    fill_the_board(cloud.base_url)
                    (board,) = (visit for visit in weight.VISITS if visit.page == "board.html")
                    (full,) = weight.measure(browser, cloud.base_url, board)
                    measured.append(replace(full, page=f"board.html, {BOARD_ORDERS} a column"))
                finally:
                    browser.close()
        finally:
            cloud.stop()
    return weight.table(measured)
