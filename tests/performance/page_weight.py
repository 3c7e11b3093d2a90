"""Page weight of the web pages: each page's first load in Chromium (cache off), the bytes on the
wire by kind, against the 100 kB budget. It measures again, as the browser tests do
(tests/browser/weight.py), on a local cloud of its own; it times nothing."""

from __future__ import annotations

import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser import chromium, weight
from tests.integration.cloud import Ports, start_cloud


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
                finally:
                    browser.close()
        finally:
            cloud.stop()
    return weight.table(measured)
