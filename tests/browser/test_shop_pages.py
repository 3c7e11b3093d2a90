"""The coffee shop's pages (`/app/`, menu.html, board.html) in Chromium against the local cloud,
through the pages only: the API is called directly just to count what they did. The accounts and
the demo menu are fixtures (tests/browser/conftest.py), so the same tests run through a deployed
site (tests/e2e/pages)."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Locator, Page, Request, expect

from shopfloor.shop.auth.service import INCORRECT_CREDENTIALS
from tests.browser import api, weight
from tests.browser.conftest import Visitor, Weigh
from tests.browser.pages import (
    APP,
    DESKTOP,
    PASSWORD,
    PHONE,
    TIMEOUT_MS,
    Account,
    add_to_basket,
    basket_line,
    expect_no_error,
    product_card,
    set_quantity,
    sign_in_customer,
    sign_in_manager,
    sign_up,
    unique_email,
)

pytestmark = pytest.mark.browser

# From the API (shopfloor/shop/orders/flow.py: cannot_move), shown as the 409's envelope says it.
READY_CANNOT_BE_CANCELLED = "Cannot move an order from ready to cancelled."


def test_the_pages_are_served_at_app_on_the_apis_origin(visitor: Visitor) -> None:
    page = visitor(DESKTOP)
    response = page.goto(APP)
    assert response is not None
    assert response.status == 200, response.text()
    assert response.headers["content-type"].startswith("text/html"), response.headers
    expect(page.locator("form#sign-in")).to_be_visible()
    expect(page.locator("form#sign-up")).to_be_visible()
    expect(page.locator("header nav a").first).to_be_visible()
    expect_no_error(page)


def test_a_wrong_password_is_refused_with_the_apis_message(
    visitor: Visitor, customer_account: Account
) -> None:
    page = visitor(PHONE)
    page.goto(APP)
    form = page.locator("form#sign-in")
    form.locator("input[name=username]").fill(customer_account.email)
    form.locator("input[name=password]").fill("Not-the-password-1")
    form.locator("button[type=submit]").click()
    expect(page.locator("[role=alert]#error")).to_have_text(INCORRECT_CREDENTIALS)
    expect(page.locator("#who")).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/app/(index\.html)?$"))


@pytest.mark.usefixtures("demo_menu")
def test_signing_out_forgets_the_account(visitor: Visitor, customer_account: Account) -> None:
    page = visitor(PHONE)
    sign_in_customer(page, customer_account.email, customer_account.password)
    page.locator("button#sign-out").click()
    expect(page).to_have_url(re.compile(r"/app/(index\.html)?$"))
    expect(page.locator("#who")).to_be_hidden()
    page.goto("/app/menu.html")
    expect(product_card(page.locator("#menu"), "Tea")).to_be_visible()
    expect(page.locator("#who")).to_be_hidden()
    expect(page.locator("button#sign-out")).to_be_hidden()


@pytest.mark.usefixtures("demo_menu")
def test_an_order_from_basket_to_ready_and_a_late_cancel_refused(
    visitor: Visitor, manager_account: Account
) -> None:
    customer = visitor(PHONE)
    email = unique_email()
    sign_up(customer, email)
    order_id = order_latte_and_tea(customer)
    current = customer.locator("#current-order")
    mine = customer.locator(f'#my-orders li[data-order-id="{order_id}"]')
    expect(mine.locator(".status")).to_have_text("waiting")
    expect(mine.locator("button.cancel")).to_be_visible()

    # The customer's second device, whose clock stops once it lists the order as cancellable: its
    # list stays as it was while the manager moves the order on. (A context of its own: a clock is
    # the context's, and the first page must go on refreshing.)
    stale = visitor(PHONE)
    stale.clock.install()
    sign_in_customer(stale, email)
    stale_cancel = stale.locator(f'#my-orders li[data-order-id="{order_id}"] button.cancel')
    expect(stale_cancel).to_be_visible()
    stale.clock.pause_at(stale.evaluate("Date.now()") / 1000 + 0.001)

    manager = visitor(DESKTOP)
    board_answers: list[str] = []
    manager.on("response", lambda response: board_answers.append(response.url))
    sign_in_manager(manager, manager_account.email, manager_account.password)
    ready = move_to_ready_on_the_board(manager, order_id)
    # A mark on the card's element itself: the board's next refresh must update it in place.
    ready.evaluate("card => { card.browserTestMark = true; }")
    answers_before = len(board_answers)

    # The customer's page follows by itself (it refreshes every 3 s).
    expect(current.locator(".status")).to_have_text("ready")
    expect(current.locator("ol#timeline li")).to_have_count(3)
    expect(mine.locator(".status")).to_have_text("ready")
    expect(mine.locator("button.cancel")).to_have_count(0)

    # The stale device still offers a cancel: the API refuses it, and the page says why.
    stale_cancel.click()
    expect(stale.locator("[role=alert]#error")).to_contain_text(READY_CANNOT_BE_CANCELLED)
    expect(current.locator(".status")).to_have_text("ready")

    # The board has refreshed itself since (every 3 s): the card is the same element.
    wait_until(lambda: any("/orders?status=ready" in url for url in board_answers[answers_before:]), manager)
    assert ready.evaluate("card => card.browserTestMark === true"), "the board re-rendered the card"


def wait_until(condition: Callable[[], bool], page: Page, seconds: float = TIMEOUT_MS / 1000) -> None:
    """Lets the page's events come in until `condition` holds."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within the time allowed"
        page.wait_for_timeout(50)


def order_latte_and_tea(customer: Page) -> str:
    """Three Lattes (Pumpkin Spice: 4.50 + 0.75) and Tea (2.50) added twice, then one Tea less; a
    Donut (Jelly: 2.25 + 0.25) added, then set to 0; placed to drink in. The order's id, once the
    page shows it waiting."""
    add_to_basket(customer, "Latte", "Pumpkin Spice", quantity=3)
    add_to_basket(customer, "Tea")
    add_to_basket(customer, "Tea")
    lines = customer.locator("#basket li[data-line]")
    expect(lines.locator(".name")).to_have_text(["Latte (Pumpkin Spice)", "Tea"])
    expect(basket_line(customer, "Tea").locator("input[name=quantity]")).to_have_value("2")
    expect(basket_line(customer, "Latte (Pumpkin Spice)").locator(".line-total")).to_have_text(
        re.compile(r"15\.75")
    )
    expect(customer.locator("#basket-total")).to_have_text("20.75")
    set_quantity(basket_line(customer, "Tea"), 1)
    expect(customer.locator("#basket-total")).to_have_text("18.25")
    add_to_basket(customer, "Donuts", "Jelly")
    expect(customer.locator("#basket-total")).to_have_text("20.75")
    set_quantity(basket_line(customer, "Donuts (Jelly)"), 0)
    expect(lines).to_have_count(2)
    expect(customer.locator("#basket-total")).to_have_text("18.25")
    customer.locator("select[name=location]").select_option("in_house")

    customer.locator("button#place-order").click()
    expect(lines).to_have_count(0)
    current = customer.locator("#current-order")
    expect(current).to_have_attribute("data-order-id", re.compile(r"^\d+$"))
    order_id = current.get_attribute("data-order-id")
    assert order_id
    expect(current.locator(".status")).to_have_text("waiting")
    expect(current.locator("ol#timeline li")).to_have_count(1)
    return order_id


def move_to_ready_on_the_board(manager: Page, order_id: str) -> Locator:
    """Start, then Ready, on the order's card; the card in the ready column."""
    card = f'article[data-order-id="{order_id}"]'
    waiting = manager.locator(f"section#column-waiting {card}")
    expect(waiting.locator(".lines li")).to_have_text(["3 x Latte (Pumpkin Spice)", "1 x Tea"])
    expect(waiting.locator(".age")).to_have_text(re.compile(r"^\s*\d+ min\s*$"))
    expect(waiting.locator("button.forward")).to_have_text("Start")
    waiting.locator("button.forward").click()
    preparation = manager.locator(f"section#column-preparation {card}")
    expect(preparation.locator("button.forward")).to_have_text("Ready")
    expect(preparation.locator("button.back")).to_be_visible()
    expect(waiting).to_have_count(0)
    preparation.locator("button.forward").click()
    ready = manager.locator(f"section#column-ready {card}")
    expect(ready.locator("button.forward")).to_have_text("Delivered")
    expect(preparation).to_have_count(0)
    expect_no_error(manager)
    return ready


@pytest.mark.usefixtures("demo_menu")
def test_a_double_click_on_place_order_places_one_order(visitor: Visitor, base_url: str) -> None:
    page = visitor(DESKTOP)
    email = unique_email()
    sign_up(page, email)
    add_to_basket(page, "Cappuccino", "Large", quantity=2)
    expect(page.locator("#basket-total")).to_have_text("10.00")
    posts: list[Request] = []
    finished: list[Request] = []

    def placing(request: Request) -> bool:
        return request.method == "POST" and urlparse(request.url).path == "/orders"

    page.on("request", lambda request: posts.append(request) if placing(request) else None)
    page.on("requestfinished", lambda request: finished.append(request) if placing(request) else None)
    page.on("requestfailed", lambda request: finished.append(request) if placing(request) else None)

    page.locator("button#place-order").dblclick()
    expect(page.locator("#basket li[data-line]")).to_have_count(0)
    expect(page.locator("#current-order .status")).to_have_text("waiting")
    wait_until(lambda: len(finished) == len(posts), page)
    expect(page.locator("#my-orders li[data-order-id]")).to_have_count(1)
    expect_no_error(page)

    orders = api.sign_in(base_url, email, PASSWORD).get("/orders")
    assert len(orders) == 1, orders
    assert len(posts) == 1, f"POST /orders sent {len(posts)} times: the button was not disabled in flight"
    assert posts[0].headers.get("idempotency-key"), posts[0].headers


@pytest.mark.usefixtures("demo_menu")
def test_a_product_a_manager_adds_is_on_the_customers_menu_after_a_reload(
    visitor: Visitor, manager_account: Account
) -> None:
    customer = visitor(PHONE)
    customer.goto("/app/menu.html")  # anyone sees the menu
    menu = customer.locator("#menu")
    expect(product_card(menu, "Latte")).to_be_visible()
    name = f"Flat White {uuid.uuid4().hex[:6]}"

    manager = visitor(DESKTOP)
    sign_in_manager(manager, manager_account.email, manager_account.password)
    editor = manager.locator("section#menu-editor")
    products = editor.locator("article[data-product-id]")
    expect(products.first).to_be_visible()
    before = products.count()
    form = editor.locator("form#add-product")
    form.locator("input[name=name]").fill(name)
    form.locator("input[name=description]").fill("Espresso with a little velvety milk.")
    form.locator("input[name=price]").fill("3.80")
    form.locator("[type=submit]").click()
    expect(products).to_have_count(before + 1)
    expect_no_error(manager)

    customer.reload()
    added = product_card(menu, name)
    expect(added.locator(".price")).to_have_text(re.compile(r"3\.80"))
    expect(added.locator("select[name=variation]")).to_have_count(0)

    # A variation added in the editor is offered after the next reload.
    product_id = added.get_attribute("data-product-id")
    in_editor = editor.locator(f'article[data-product-id="{product_id}"]')
    variation = in_editor.locator("form.add-variation")
    variation.locator("input[name=name]").fill("Oat milk")
    variation.locator("input[name=price_change]").fill("0.40")
    variation.locator("[type=submit]").click()
    manager.wait_for_function(VARIATION_IN_EDITOR, arg={"product": product_id, "name": "Oat milk"})
    expect_no_error(manager)
    customer.reload()
    expect(added.locator("select[name=variation] option")).to_have_text(
        [re.compile(r"^Oat milk \(\+0\.40\)$")]
    )

    # And deleted again in the editor: gone from the menu after the next reload.
    in_editor.locator("button.delete-product").click()
    expect(products).to_have_count(before)
    customer.reload()
    expect(product_card(menu, "Latte")).to_be_visible()
    expect(product_card(menu, name)).to_have_count(0)


VARIATION_IN_EDITOR = """({product, name}) => {
  const article = document.querySelector(`#menu-editor article[data-product-id="${product}"]`);
  return article !== null && [...article.querySelectorAll("input[name=name]")]
    .some((field) => field.closest("form.add-variation") === null && field.value === name);
}"""


@pytest.mark.parametrize(
    "visit",
    [visit for visit in weight.VISITS if visit.page != "factories.html"],
    ids=lambda visit: visit.page,
)
def test_first_load_weighs_under_the_budget(weigh: Weigh, visit: weight.Visit) -> None:
    weigh(visit)
