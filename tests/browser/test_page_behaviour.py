"""How the pages behave when things go wrong or race: an order's answer lost on the way, a list
answered from before a move, the server out of reach, the page hidden, a second save overtaking the
first, the Back button after signing out, names longer than a phone is wide.

The scene is set up over the API, and a page opens signed in with a token the API gave (quicker
than the forms, which test_shop_pages.py goes through); what is tested goes through the pages, with
the network between page and API shaped by `page.route` and the pages' 3 s refresh brought round by
`page.clock` rather than waited for."""

from __future__ import annotations

import json
import math
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from playwright.sync_api import Browser, Page, Playwright, Route, expect

from tests.browser import api, chromium
from tests.browser.conftest import Visitor
from tests.browser.pages import (
    DESKTOP,
    PASSWORD,
    PHONE,
    TIMEOUT_MS,
    Account,
    add_to_basket,
    basket_line,
    expect_no_error,
    new_context,
    product_card,
    set_quantity,
    sign_in_customer,
    unique_email,
)

pytestmark = pytest.mark.browser

UNREACHABLE = "The server cannot be reached"
PAGE_WIDTH = "document.documentElement.scrollWidth"
# The tab's token where the pages keep it, before they first load; once, so that signing out signs out.
SIGNED_IN = """token => {
  if (sessionStorage.getItem("test.signed-in")) return;
  sessionStorage.setItem("test.signed-in", "yes");
  sessionStorage.setItem("shopfloor.token", token);
}"""
# document.hidden as when the tab is in the background (a headless page cannot be hidden): what the
# pages read, and the event they listen to.
SET_HIDDEN = """hidden => {
  const state = hidden ? "hidden" : "visible";
  Object.defineProperty(document, "hidden", { value: hidden, configurable: true });
  Object.defineProperty(document, "visibilityState", { value: state, configurable: true });
  document.dispatchEvent(new Event("visibilitychange"));
}"""
# Counts the changes to #error's text (each one announced by a screen reader: it is role=alert).
COUNT_ERROR_CHANGES = """() => {
  window.errorChanges = 0;
  new MutationObserver((changes) => { window.errorChanges += changes.length; })
    .observe(document.getElementById("error"), { childList: true, characterData: true, subtree: true });
}"""


@dataclass(frozen=True)
class NewCustomer:
    email: str
    password: str = PASSWORD


def signed_in(page: Page, base_url: str, account: Account, path: str) -> Page:
    """`page` at `path`, signed in as `account`."""
    token = api.sign_in(base_url, account.email, account.password).headers["Authorization"].split()[-1]
    page.add_init_script(f"({SIGNED_IN})({json.dumps(token)})")
    page.goto(path)
    expect(page.locator("#who")).to_have_text(account.email)
    return page


def wait_until(condition: Callable[[], bool], page: Page) -> None:
    """Lets the page's events come in until `condition` holds."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not condition():
        assert time.monotonic() < deadline, "not within the time allowed"
        page.wait_for_timeout(20)


def tick_until(condition: Callable[[], bool], page: Page) -> None:
    """Moves the page's stopped clock on, half a second at a time, until `condition` holds: the
    page's refresh comes round as it would in as many seconds, without the wait."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not condition():
        assert time.monotonic() < deadline, "not within the time allowed"
        page.clock.run_for(500)
        page.wait_for_timeout(20)


def is_orders(url: str) -> bool:
    return urlparse(url).path == "/orders"


Answer = tuple[int, dict[str, str], bytes]
DECODED = {"content-encoding", "content-length", "transfer-encoding"}


def fetch(route: Route) -> Answer:
    """The API's answer to the route's request (its body decoded), to be given later or again."""
    response = route.fetch()
    headers = {name: value for name, value in response.headers.items() if name.lower() not in DECODED}
    return response.status, headers, response.body()


def answer(route: Route, fetched: Answer) -> None:
    status, headers, body = fetched
    route.fulfill(status=status, headers=headers, body=body)


def cancel_orders(customer: api.Caller) -> None:
    """The customer's orders off the board again (the screenshots, taken last, picture it)."""
    for order in customer.get("/orders"):
        if order["status"] in ("waiting", "preparation"):
            customer.send("POST", f"/orders/{order['id']}/cancel", {}, 200)


def delete_product(base_url: str, manager: api.Caller, product_id: int) -> None:
    response = requests.delete(
        f"{base_url}/menu/products/{product_id}", headers=manager.headers, timeout=api.TIMEOUT
    )
    assert response.status_code == 204, response.text


def open_board(visitor: Visitor, base_url: str, manager: Account) -> tuple[Page, list[str]]:
    """The board, its clock stopped once its first lists are in; and the list requests it sends."""
    page = visitor(DESKTOP)
    page.clock.install()
    sent: list[str] = []
    done: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if is_orders(request.url) else None)
    page.on("requestfinished", lambda request: done.append(request.url) if is_orders(request.url) else None)
    signed_in(page, base_url, manager, "/app/board.html")
    wait_until(lambda: len(done) >= 3, page)
    page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 0.1)  # ahead of the time it takes to say so
    return page, sent


@pytest.mark.usefixtures("demo_menu")
def test_a_basket_changed_after_a_lost_answer_is_placed_with_a_new_key(
    visitor: Visitor, base_url: str
) -> None:
    """The API places an order but its answer never reaches the page: a retry of the same basket
    sends the same Idempotency-Key (nothing placed twice); once the basket changes, a new key (the
    API refuses a key sent before with another request)."""
    email = unique_email()
    customer = api.sign_up(base_url, email, PASSWORD)
    page = signed_in(visitor(PHONE), base_url, NewCustomer(email), "/app/menu.html")
    keys: list[str] = []
    answers_lost = 2

    def lose_the_answer(route: Route) -> None:
        if route.request.method != "POST":
            route.fallback()
            return
        keys.append(route.request.headers.get("idempotency-key", ""))
        if len(keys) > answers_lost:
            route.fallback()
            return
        route.fetch()  # the API places the order...
        route.abort("connectionreset")  # ...and its answer is lost

    page.route(is_orders, lose_the_answer)
    add_to_basket(page, "Tea")
    place = page.locator("button#place-order")
    error = page.locator("[role=alert]#error")
    for attempt in range(1, answers_lost + 1):  # the same basket, twice
        place.click()
        wait_until(lambda: len(keys) == attempt, page)  # noqa: B023 (called at once)
        expect(error).to_contain_text(UNREACHABLE)
        expect(place).to_be_focused()  # again, once enabled (disabled, it lost the focus)
        expect(place).not_to_have_attribute("tabindex", "-1")

    set_quantity(basket_line(page, "Tea"), 2)
    place.click()
    current = page.locator("#current-order")
    expect(current.locator(".order-lines li")).to_have_text([re.compile(r"^2 x Tea ")])
    expect(current.locator(".status")).to_have_text("waiting")
    expect(page.locator("#basket li[data-line]")).to_have_count(0)
    expect(page.locator("#current-title")).to_be_focused()  # the order placed, not the top of the page
    expect_no_error(page)

    assert keys[0] == keys[1], keys
    assert keys[2] != keys[0], keys
    orders = customer.get("/orders")
    assert [[line["quantity"] for line in order["lines"]] for order in orders] == [[2], [1]], orders
    cancel_orders(customer)


@pytest.mark.usefixtures("demo_menu")
def test_the_basket_holds_at_most_twenty_of_a_line(visitor: Visitor) -> None:
    """The API takes 1 to 20 of a line: adding to a line, or typing in it, never goes past 20."""
    page = visitor(PHONE)
    page.goto("/app/menu.html")
    total = page.locator("#basket-total")
    error = page.locator("[role=alert]#error")
    add_to_basket(page, "Tea", quantity=15)
    expect(total).to_have_text("37.50")
    add_to_basket(page, "Tea", quantity=10)
    expect(error).to_have_text("An order holds at most 20 of each: the basket has 15 of Tea.")
    tea = basket_line(page, "Tea")
    expect(tea.locator("input[name=quantity]")).to_have_value("15")
    expect(total).to_have_text("37.50")

    set_quantity(tea, 25)
    expect(error).to_contain_text("Quantity: choose a number from 0 to 20")
    expect(tea.locator("input[name=quantity]")).to_have_value("15")
    expect(total).to_have_text("37.50")

    tea.locator("button.remove").click()
    expect(page.locator("#basket li[data-line]")).to_have_count(0)
    expect(page.locator("#basket-title")).to_be_focused()  # not lost with the line's button


@pytest.mark.usefixtures("demo_menu")
def test_a_list_answered_from_before_a_move_never_moves_the_card_back(
    visitor: Visitor, base_url: str, manager_account: Account
) -> None:
    """Every list the board reads after the manager's moves is answered as it was before them (as a
    refresh under way during a move, or an index lagging behind it, would): the cards stay where
    the moves put them. The card moved from the keyboard keeps the focus, through the refresh that
    puts it in its place in the column too."""
    customer = api.sign_up(base_url, unique_email(), PASSWORD)
    manager = api.sign_in(base_url, manager_account.email, manager_account.password)
    starting = api.place_order(customer, [(1, "Tea", None)], "take_away")
    leaving = api.place_order(customer, [(2, "Tea", None)], "in_house")
    api.move(manager, leaving, "preparation", "ready")
    newer = api.place_order(customer, [(3, "Tea", None)], "in_house")
    api.move(manager, newer, "preparation")
    set_up = time.time()

    page, sent = open_board(visitor, base_url, manager_account)
    before: dict[str, Answer] = {}
    as_they_were = True

    def lists(route: Route) -> None:
        if not as_they_were:
            route.fallback()
            return
        if route.request.url not in before:
            before[route.request.url] = fetch(route)
        answer(route, before[route.request.url])

    page.route(is_orders, lists)
    tick_until(lambda: len(before) == 3, page)  # a refresh: its answers are kept
    # The API's times are to the second: the moves are made in a later one than the scene.
    time.sleep(max(0.0, math.floor(set_up) + 1 - time.time()))

    page.locator(f'#column-ready article[data-order-id="{leaving}"] button.forward').click()  # Delivered
    delivered = page.locator(f'article[data-order-id="{leaving}"]')
    expect(delivered).to_have_count(0)
    waiting = page.locator(f'#column-waiting article[data-order-id="{starting}"]')
    waiting.locator("button.forward").focus()
    page.keyboard.press("Enter")  # Start
    started = page.locator(f'#column-preparation article[data-order-id="{starting}"]')
    expect(started).to_be_visible()
    expect(started).to_be_focused()  # the card where it went, not the top of the page

    moved = len(sent)
    tick_until(lambda: len(sent) >= moved + 6, page)  # a refresh after the moves is over
    expect(started).to_be_visible()
    expect(waiting).to_have_count(0)
    expect(delivered).to_have_count(0)

    as_they_were = False
    answered = len(sent)
    tick_until(lambda: len(sent) >= answered + 6, page)  # a refresh as the lists are now
    expect(page.locator("#column-preparation article[data-order-id]")).to_have_count(2)
    in_preparation = page.locator("#column-preparation article[data-order-id]")
    expect(in_preparation.nth(0)).to_have_attribute("data-order-id", str(starting))  # oldest first
    expect(in_preparation.nth(1)).to_have_attribute("data-order-id", str(newer))
    expect(started).to_be_focused()
    expect_no_error(page)
    cancel_orders(customer)


@pytest.mark.usefixtures("demo_menu")
def test_a_refresh_under_way_during_a_move_is_not_shown(
    visitor: Visitor, base_url: str, manager_account: Account
) -> None:
    """A refresh reads the lists, the manager moves a card, then the refresh's answers arrive: they
    are from before the move and not shown, even when the order's time (to the second) cannot tell
    (it is placed, shown and moved within one second here)."""
    customer = api.sign_up(base_url, unique_email(), PASSWORD)
    page, _ = open_board(visitor, base_url, manager_account)
    held: list[tuple[Route, Answer]] = []
    holding = False

    def lists(route: Route) -> None:
        if holding:
            held.append((route, fetch(route)))  # read now, answered later
        else:
            route.fallback()

    page.route(is_orders, lists)
    time.sleep(1 - time.time() % 1)  # at the start of a second
    order = api.place_order(customer, [(1, "Tea", None)], "take_away")
    waiting = page.locator(f'#column-waiting article[data-order-id="{order}"]')
    tick_until(lambda: waiting.count() == 1, page)
    holding = True
    tick_until(lambda: len(held) == 3, page)  # a refresh under way
    waiting.locator("button.forward").click()  # Start
    started = page.locator(f'#column-preparation article[data-order-id="{order}"]')
    expect(started).to_be_visible()
    for route, fetched in held[:3]:
        answer(route, fetched)
    wait_until(lambda: len(held) == 6, page)  # the refresh asked for by the move: it is over
    expect(started).to_be_visible()
    expect(waiting).to_have_count(0)
    for route, fetched in held[3:]:
        answer(route, fetched)
    cancel_orders(customer)


def test_the_board_says_once_that_the_server_is_out_of_reach_and_clears_it_when_back(
    visitor: Visitor, base_url: str, manager_account: Account
) -> None:
    page, sent = open_board(visitor, base_url, manager_account)
    cards = page.locator("article[data-order-id]")
    shown = cards.count()
    page.evaluate(COUNT_ERROR_CHANGES)
    out_of_reach = True

    def network(route: Route) -> None:
        if out_of_reach:
            route.abort("internetdisconnected")
        else:
            route.fallback()

    page.route(is_orders, network)
    down = len(sent)
    tick_until(lambda: len(sent) >= down + 12, page)  # four refreshes fail: the first three are over
    error = page.locator("[role=alert]#error")
    expect(error).to_contain_text(UNREACHABLE)
    assert page.evaluate("window.errorChanges") == 1, "the same error was written (and announced) again"
    assert cards.count() == shown, "cards went while the server was out of reach"
    out_of_reach = False
    tick_until(lambda: len(sent) >= down + 15, page)
    expect(error).to_be_hidden()  # once a refresh works again


def test_a_hidden_board_stops_refreshing_and_refreshes_once_shown(
    visitor: Visitor, base_url: str, manager_account: Account
) -> None:
    page, sent = open_board(visitor, base_url, manager_account)
    page.evaluate(SET_HIDDEN, True)
    hidden = len(sent)
    for _ in range(10):
        page.clock.run_for(3000)
        page.wait_for_timeout(20)
    assert len(sent) == hidden, f"{len(sent) - hidden} list requests while the page was hidden"
    page.evaluate(SET_HIDDEN, False)
    wait_until(lambda: len(sent) >= hidden + 3, page)  # at once, not a refresh later


def waiting_order(order_id: int, second: int) -> dict[str, Any]:
    placed = f"2026-01-01T10:00:{second:02d}Z"
    line = {"product_id": 1, "variation_id": None, "name": "Tea", "unit_price": 2.5, "quantity": 1}
    return {
        "id": order_id,
        "status": "waiting",
        "location": "take_away",
        "customer": "queue@example.com",
        "lines": [{**line, "line_total": 2.5}],
        "total": 2.5,
        "created_at": placed,
        "updated_at": placed,
    }


def test_the_board_shows_the_oldest_orders_of_a_long_column(
    visitor: Visitor, base_url: str, manager_account: Account
) -> None:
    """51 orders waiting: the board asks for the oldest 50 (`sort=oldest`: the next to make comes
    first), one request a column, and its count says more wait. The API's answers are played here
    (tests/unit/shop/orders checks `sort=oldest` itself)."""
    oldest = 9_000_000
    waiting = [waiting_order(oldest + n, n) for n in range(51)]
    asked: list[dict[str, list[str]]] = []

    def lists(route: Route) -> None:
        query = parse_qs(urlparse(route.request.url).query)
        asked.append(query)
        orders: list[dict[str, Any]] = []
        headers = {}
        if query.get("status") == ["waiting"] and query.get("sort") == ["oldest"]:
            orders = waiting[:50]
            headers["Link"] = '</orders?status=waiting&sort=oldest&limit=50&cursor=page-2>; rel="next"'
        route.fulfill(json=orders, headers=headers)

    page = visitor(DESKTOP)
    page.route(is_orders, lists)
    signed_in(page, base_url, manager_account, "/app/board.html")
    column = page.locator("#column-waiting")
    expect(column.locator(".count")).to_have_text("50+")
    expect(column.locator("article[data-order-id]")).to_have_count(50)
    expect(column.locator("article[data-order-id]").first).to_have_attribute("data-order-id", str(oldest))
    first_refresh = asked[:3]
    assert sorted(query["status"][0] for query in first_refresh) == ["preparation", "ready", "waiting"]
    assert all(query.get("sort") == ["oldest"] and "cursor" not in query for query in first_refresh)


@pytest.fixture
def long_names(base_url: str, manager_account: Account) -> Iterator[tuple[str, str, int]]:
    """A product and a variation named with single words wider than a phone, and an order of them;
    cancelled and deleted afterwards."""
    manager = api.sign_in(base_url, manager_account.email, manager_account.password)
    word = uuid.uuid4().hex
    name = f"Mochaccino{word}{word}"
    variation = f"Oatmilk{word}{word}"
    product = manager.send(
        "POST", "/menu/products", {"name": name, "description": f"Double{word}{word}", "price": 3.5}, 201
    )
    manager.send(
        "POST", f"/menu/products/{product['id']}/variations", {"name": variation, "price_change": 0.4}, 201
    )
    customer = api.sign_up(base_url, unique_email(), PASSWORD)
    order = api.place_order(customer, [(1, name, variation)], "take_away")
    yield name, variation, order
    cancel_orders(customer)
    delete_product(base_url, manager, product["id"])


def test_names_longer_than_a_phone_is_wide_wrap(
    visitor: Visitor, base_url: str, manager_account: Account, long_names: tuple[str, str, int]
) -> None:
    name, variation, order = long_names
    shop = visitor(PHONE)
    shop.goto("/app/menu.html")
    add_to_basket(shop, name, variation)
    expect(basket_line(shop, f"{name} ({variation})")).to_be_visible()
    assert shop.evaluate(PAGE_WIDTH) <= PHONE.width

    board = signed_in(visitor(PHONE), base_url, manager_account, "/app/board.html")
    expect(board.locator(f'article[data-order-id="{order}"] .lines li')).to_have_text(
        [f"1 x {name} ({variation})"]
    )
    expect(product_card(board.locator("#menu-editor"), name)).to_be_visible()
    assert board.evaluate(PAGE_WIDTH) <= PHONE.width


@pytest.mark.usefixtures("demo_menu")
def test_a_manager_is_not_offered_to_place_an_order(
    visitor: Visitor, base_url: str, manager_account: Account
) -> None:
    """The API refuses a manager's order (403): the menu page says so rather than offer it."""
    page = signed_in(visitor(PHONE), base_url, manager_account, "/app/menu.html")
    add_to_basket(page, "Tea")
    expect(page.locator("#basket-total")).to_have_text("2.50")
    expect(page.locator("button#place-order")).to_be_disabled()
    expect(page.locator("#sign-in-to-order")).to_be_visible()
    expect(page.locator("#my-orders-section")).to_be_hidden()


def test_the_editor_shows_the_menu_it_read_last(
    visitor: Visitor, base_url: str, manager_account: Account
) -> None:
    """Two saves in quick succession: the menu read after the first is answered after the second's,
    and is not shown over it."""
    manager = api.sign_in(base_url, manager_account.email, manager_account.password)
    word = uuid.uuid4().hex[:6]
    first, second = (
        manager.send("POST", "/menu/products", {"name": f"Editor {word} {n}", "price": 3}, 201)
        for n in (1, 2)
    )
    try:
        page = visitor(DESKTOP)
        held: list[tuple[Route, Answer]] = []
        holding = False

        def menu_reads(route: Route) -> None:
            if holding and not held:
                held.append((route, fetch(route)))  # read now, answered later
            else:
                route.fallback()

        page.route(lambda url: urlparse(url).path == "/menu", menu_reads)
        signed_in(page, base_url, manager_account, "/app/board.html")
        editor = page.locator("section#menu-editor")
        first_form, second_form = (
            editor.locator(f'article[data-product-id="{product["id"]}"] form.edit-product')
            for product in (first, second)
        )
        expect(second_form.locator("input[name=price]")).to_have_value("3.00")
        holding = True
        first_form.locator("input[name=price]").fill("3.10")
        first_form.locator("button[type=submit]").click()
        wait_until(lambda: bool(held), page)
        second_form.locator("input[name=price]").fill("4.20")
        second_form.locator("button[type=submit]").click()
        status = editor.locator("#editor-status")
        expect(status).to_have_text(f"Saved {second['name']}.")
        expect(second_form.locator("input[name=price]")).to_have_value("4.20")

        answer(*held[0])
        expect(status).to_have_text(f"Saved {first['name']}.")
        expect(second_form.locator("input[name=price]")).to_have_value("4.20")
        expect(first_form.locator("input[name=price]")).to_have_value("3.10")

        # A save refused: the API's message, and the focus on the button again (disabling it lost it).
        first_form.locator("input[name=price]").fill("0")
        first_form.locator("button[type=submit]").click()
        expect(page.locator("[role=alert]#error")).to_contain_text("price")
        expect(first_form.locator("button[type=submit]")).to_be_focused()
    finally:
        for product in (first, second):
            delete_product(base_url, manager, product["id"])


@pytest.fixture(scope="module")
def caching_browser(playwright: Playwright) -> Iterator[Browser]:
    """Chromium with its back/forward cache on, as browsers have it (Playwright turns it off)."""
    path = chromium.executable()
    assert path is not None, chromium.MISSING
    launched = playwright.chromium.launch(
        executable_path=str(path),
        args=list(chromium.ARGS),
        ignore_default_args=["--disable-back-forward-cache"],
    )
    yield launched
    launched.close()


@pytest.mark.usefixtures("demo_menu")
def test_back_after_signing_out_shows_the_page_signed_out(
    caching_browser: Browser, base_url: str, customer_account: Account
) -> None:
    """Back after "Sign out" would show the page from the browser's cache as it was (the account,
    its orders, the refresh running again without a token): it is loaded afresh instead."""
    context = new_context(caching_browser, base_url, PHONE)
    try:
        page = context.new_page()
        sign_in_customer(page, customer_account.email, customer_account.password)
        expect(page.locator("#my-orders-section")).to_be_visible()
        page.locator("button#sign-out").click()
        expect(page).to_have_url(re.compile(r"/app/(index\.html)?$"))
        page.go_back(wait_until="commit")  # a page from the cache has no load event
        expect(page).to_have_url(re.compile(r"/app/menu\.html$"))
        expect(page.locator("#who")).to_be_hidden()
        expect(page.locator("#my-orders-section")).to_be_hidden()
        expect(page.locator("#menu article[data-product-id]").first).to_be_visible()
        expect_no_error(page)
    finally:
        context.close()
