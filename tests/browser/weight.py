"""Page weight: the bytes a page's first load transfers (HTML, CSS, JS, images and the API calls it
makes on load), as Chromium counts them on the wire (CDP `Network.loadingFinished`
`encodedDataLength`: headers and body as received), with the HTTP cache off.

The browser tests assert each page stays under the budget and write the numbers to
build/screenshots/page-weights.json; `make bench` measures them again and prints the table."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from playwright.sync_api import Browser, Page

from infra.local.users import DEMO_CUSTOMER, DEMO_MANAGER
from infra.topology import ROOT
from tests.browser.pages import DESKTOP, Account, new_context, sign_in_customer, sign_in_manager

BUDGET_BYTES = 100_000  # "under 100 KB" per page's first load (kB as the browsers' tools count them)
SCREENSHOTS_DIR = ROOT / "build" / "screenshots"
WEIGHTS_FILE = SCREENSHOTS_DIR / "page-weights.json"
QUIET_SECONDS = 0.5  # a load is over once every request has finished and none started for this long
SETTLE_SECONDS = 30.0  # a cold function of the local cloud on a busy machine can take seconds
# CDP resource types, grouped as the table shows them.
KINDS = {"Document": "html", "Stylesheet": "css", "Script": "js", "Fetch": "api", "XHR": "api"}
COLUMNS = ("html", "css", "js", "api", "other")


@dataclass(frozen=True)
class Transfer:
    url: str
    kind: str
    status: int
    bytes: int


@dataclass(frozen=True)
class PageWeight:
    page: str
    transfers: tuple[Transfer, ...]
    budgeted: bool = True

    @property
    def total(self) -> int:
        return sum(transfer.bytes for transfer in self.transfers)

    def by_kind(self) -> dict[str, int]:
        sums = dict.fromkeys(COLUMNS, 0)
        for transfer in self.transfers:
            sums[transfer.kind] += transfer.bytes
        return sums

    def describe(self) -> str:
        lines = [f"{self.page}: {self.total} bytes in {len(self.transfers)} responses"]
        lines += [f"  {t.bytes:>8}  {t.status}  {t.kind:<5}  {t.url}" for t in self.transfers]
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        return {
            "page": self.page,
            "budgeted": self.budgeted,
            "requests": len(self.transfers),
            "total_bytes": self.total,
            "by_kind": self.by_kind(),
            "transfers": [vars(transfer) for transfer in self.transfers],
        }


@dataclass
class _Recorder:
    """Every request of one page over a CDP session of its own, from `Network.enable` on."""

    page: Page
    urls: dict[str, tuple[str, str]] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    done: dict[str, int] = field(default_factory=dict)
    redirects: list[Transfer] = field(default_factory=list)
    last_activity: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.cdp = self.page.context.new_cdp_session(self.page)
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.responseReceived", self._received)
        self.cdp.on("Network.loadingFinished", lambda event: self._finish(event, event["encodedDataLength"]))
        self.cdp.on("Network.loadingFailed", self._failed)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})

    def _sent(self, event: dict[str, Any]) -> None:
        self.last_activity = time.monotonic()
        request_id = event["requestId"]
        redirect = event.get("redirectResponse")
        if redirect is not None and request_id in self.urls:
            url, kind = self.urls[request_id]
            self.redirects.append(Transfer(url, kind, redirect["status"], int(redirect["encodedDataLength"])))
        self.urls[request_id] = (event["request"]["url"], KINDS.get(event.get("type", ""), "other"))

    def _received(self, event: dict[str, Any]) -> None:
        self.statuses[event["requestId"]] = event["response"]["status"]

    def _finish(self, event: dict[str, Any], size: float) -> None:
        self.last_activity = time.monotonic()
        self.done[event["requestId"]] = int(size)

    def _failed(self, event: dict[str, Any]) -> None:
        """A request cancelled (the page before it navigated away, say) transferred nothing of the
        page's: it is left out."""
        if event.get("canceled"):
            self.urls.pop(event["requestId"], None)
        self._finish(event, 0)

    def weight(self, name: str, budgeted: bool) -> PageWeight:
        """Once every request sent has finished (or failed) and no other started for a moment (a
        page's requests on load may come one after another)."""
        deadline = time.monotonic() + SETTLE_SECONDS
        while time.monotonic() < deadline and (
            set(self.urls) - set(self.done) or time.monotonic() - self.last_activity < QUIET_SECONDS
        ):
            self.page.wait_for_timeout(50)
        pending = [self.urls[request_id][0] for request_id in set(self.urls) - set(self.done)]
        assert not pending, f"{name}: requests still open after {SETTLE_SECONDS:.0f} s: {pending}"
        transfers = [
            Transfer(url, kind, self.statuses.get(request_id, 0), self.done[request_id])
            for request_id, (url, kind) in self.urls.items()
            if not url.startswith("data:")
        ]
        return PageWeight(name, (*self.redirects, *transfers), budgeted)

    def close(self) -> None:
        self.cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
        self.cdp.detach()


@contextmanager
def recording(page: Page) -> Iterator[_Recorder]:
    recorder = _Recorder(page)
    try:
        yield recorder
    finally:
        recorder.close()


def first_load(page: Page, name: str, path: str) -> PageWeight:
    """Opens `path` in `page` with the cache off; what it transferred by the time the network has
    been quiet for 500 ms (the pages' 3 s refreshes come later)."""
    with recording(page) as recorder:
        page.goto(path, wait_until="load")
        return recorder.weight(name, budgeted=True)


def selecting_a_factory(page: Page) -> PageWeight:
    """On factories.html: what choosing the last factory of the list transfers (its chart)."""
    with recording(page) as recorder:
        page.locator("#factories li[data-factory-id]").last.click()
        page.wait_for_function(CHART_LOADED)
        return recorder.weight("factories.html, a factory chosen", budgeted=False)


CHART_LOADED = """() => {
  const chart = document.querySelector("img#chart");
  return chart !== null && chart.complete && chart.naturalWidth > 0;
}"""


Role = Literal["customer", "manager"]
SIGN_IN: dict[Role, Callable[[Page, str, str], None]] = {
    "customer": sign_in_customer,
    "manager": sign_in_manager,
}
DEMO_ACCOUNTS: dict[Role, Account] = {"customer": DEMO_CUSTOMER, "manager": DEMO_MANAGER}


@dataclass(frozen=True)
class Visit:
    page: str
    path: str
    role: Role | None = None  # signed in as one first
    # What its first load lists of a shared stack's data, which grows with it ("" when nothing):
    # against a deployed stack its weight would be other people's data, not the page's.
    shared: str = ""


# Each page as the visitor it is for: the menu as a signed-in customer (it then also lists their
# orders), the board as a manager, the others as anyone.
VISITS = (
    Visit("index.html", "/app/"),
    Visit("menu.html", "/app/menu.html", "customer"),
    Visit(
        "board.html", "/app/board.html", "manager", shared="everyone's orders, the oldest 50 of each column"
    ),
    Visit("factories.html", "/app/factories.html"),
)


def measure(
    browser: Browser, base_url: str, visit: Visit, account: Account | None = None
) -> list[PageWeight]:
    """The first load of one page in a fresh desktop context (signed in first, as its visitor:
    `account`, by default the local cloud's demo user of the visit's role); for factories.html also
    the choice of a factory."""
    context = new_context(browser, base_url, DESKTOP)
    try:
        page = context.new_page()
        if visit.role is not None:
            who = account or DEMO_ACCOUNTS[visit.role]
            SIGN_IN[visit.role](page, who.email, who.password)
            # Off the page signing in lands on (its refresh may be mid-request) before recording: a
            # request of a page being left can end without the browser ever reporting it.
            page.goto("about:blank")
        weights = [first_load(page, visit.page, visit.path)]
        if visit.page == "factories.html":
            weights.append(selecting_a_factory(page))
        return weights
    finally:
        context.close()


def check(measured: list[PageWeight], page_weights: list[PageWeight]) -> None:
    """Keeps the numbers for the end of the run, then asserts each first load is under the budget."""
    page_weights.extend(measured)
    for page in measured:
        print(page.describe())
        if page.budgeted:
            assert page.total < BUDGET_BYTES, f"over the budget of {BUDGET_BYTES} bytes: {page.describe()}"


def table(weights: list[PageWeight]) -> str:
    head = f"{'page':<34}{'requests':>9}" + "".join(f"{c + ' kB':>10}" for c in COLUMNS)
    head += f"{'total kB':>10}  budget < {BUDGET_BYTES / 1000:.0f} kB"
    rows = [
        "Page weight: each page's first load, cache off, bytes on the wire (headers + body)",
        head,
    ]
    for weight in weights:
        kinds = weight.by_kind()
        verdict = ("ok" if weight.total < BUDGET_BYTES else "OVER") if weight.budgeted else "-"
        rows.append(
            f"{weight.page:<34}{len(weight.transfers):>9}"
            + "".join(f"{kinds[c] / 1000:>10.1f}" for c in COLUMNS)
            + f"{weight.total / 1000:>10.1f}  {verdict}"
        )
    return "\n".join(rows)


def write(weights: list[PageWeight], path: Path = WEIGHTS_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"budget_bytes": BUDGET_BYTES, "pages": [weight.as_json() for weight in weights]}
    path.write_text(json.dumps(document, indent=2) + "\n")
