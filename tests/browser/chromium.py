"""Debian's Chromium, driven by Playwright for Python (`make test` installs the package when it is
missing; Playwright's own browser download is never used)."""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import Browser, Playwright

MISSING = (
    "Chromium is required for the browser tests: "
    "install the Debian package chromium (apt-get install chromium)"
)
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")

# Headless, and quiet on a closed network: without the background-networking flags Chromium's own
# connections (updates, sync, safe browsing) are refused here and slow every start.
ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def executable() -> Path | None:
    if DEBIAN_CHROMIUM.is_file():
        return DEBIAN_CHROMIUM
    found = shutil.which("chromium")
    return Path(found) if found else None


def launch(playwright: Playwright) -> Browser:
    path = executable()
    if path is None:
        raise RuntimeError(MISSING)
    return playwright.chromium.launch(executable_path=str(path), args=list(ARGS))
