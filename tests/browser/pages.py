"""Opening the web pages (`web/`, served at `/app/` on the API's origin) as a person would: a fresh
browser context per visitor, signing in and up through the forms of `/app/`."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Protocol

from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

APP = "/app/"
# Long enough for a page's 3 s refresh to come round twice on a busy machine.
TIMEOUT_MS = 10_000
PASSWORD = "Shop-test-1"


@dataclass(frozen=True)
class Viewport:
    name: str
    width: int
    height: int
    mobile: bool = False
    scale: float = 1

    def __str__(self) -> str:
        return self.name


class Account(Protocol):
    """An e-mail and password the site knows: the local cloud's demo users, or on a deployed stack a
    customer signed up on the spot and the manager an operator made."""

    @property
    def email(self) -> str: ...

    @property
    def password(self) -> str: ...


PHONE = Viewport("phone", 390, 844, mobile=True, scale=2)
DESKTOP = Viewport("desktop", 1280, 800)
VIEWPORTS = (PHONE, DESKTOP)


def new_context(browser: Browser, base_url: str, viewport: Viewport = DESKTOP) -> BrowserContext:
    """A visitor of their own: no cookies, no storage, no cache; `page.goto("/app/...")` on the
    cloud's origin; every confirm() accepted."""
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": viewport.width, "height": viewport.height},
        is_mobile=viewport.mobile,
        has_touch=viewport.mobile,
        device_scale_factor=viewport.scale,
        timezone_id="UTC",
        locale="en-GB",
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.on("dialog", lambda dialog: dialog.accept())
    return context


def unique_email(name: str = "customer") -> str:
    return f"{name}-{uuid.uuid4().hex[:12]}@example.com"


def sign_in(page: Page, email: str, password: str) -> None:
    """Signs in through `form#sign-in` of `/app/`; the page goes on to the role's page."""
    page.goto(APP)
    form = page.locator("form#sign-in")
    form.locator("input[name=username]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    expect(page.locator("#who")).to_have_text(email)


def sign_in_customer(page: Page, email: str, password: str = PASSWORD) -> None:
    sign_in(page, email, password)
    expect(page).to_have_url(re.compile(r"/app/menu\.html$"))


def sign_in_manager(page: Page, email: str, password: str) -> None:
    sign_in(page, email, password)
    expect(page).to_have_url(re.compile(r"/app/board\.html$"))


def sign_up(page: Page, email: str, password: str = PASSWORD) -> None:
    """Signs up through `form#sign-up` of `/app/`: the page signs in and goes on to the menu."""
    page.goto(APP)
    form = page.locator("form#sign-up")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/app/menu\.html$"))
    expect(page.locator("#who")).to_have_text(email)


def exactly(text: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def product_card(scope: Locator, name: str) -> Locator:
    """The `article[data-product-id]` in `scope` whose `.name` is `name` (menu.html's `#menu`, or
    the board's `#menu-editor`)."""
    return scope.locator("article[data-product-id]").filter(
        has=scope.page.locator(".name", has_text=exactly(name))
    )


def add_to_basket(page: Page, product: str, variation: str | None = None, quantity: int = 1) -> None:
    """On menu.html: chooses the variation by its name (the option's text is `<name> (+<change>)`),
    sets the quantity and presses `button.add`."""
    card = product_card(page.locator("#menu"), product)
    if variation is not None:
        select = card.locator("select[name=variation]")
        option = select.locator("option", has_text=re.compile(rf"^\s*{re.escape(variation)} \(\+"))
        value = option.get_attribute("value")
        assert value, f"{product}: no value on the option of {variation}"
        select.select_option(value=value)
    card.locator("input[name=quantity]").fill(str(quantity))
    card.locator("button.add").click()


def basket_line(page: Page, name: str) -> Locator:
    return page.locator("#basket li[data-line]").filter(has=page.locator(".name", has_text=exactly(name)))


def set_quantity(line: Locator, quantity: int) -> None:
    """Types the quantity into a basket line and leaves the field, as a person would."""
    line.locator("input[name=quantity]").fill(str(quantity))
    line.page.keyboard.press("Tab")  # the field may be gone already (0 removes the line)


NO_ERROR = """() => {
  const error = document.querySelector("[role=alert]#error");
  if (error === null) return false;
  const style = getComputedStyle(error);
  return error.hidden || style.display === "none" || style.visibility === "hidden"
    || error.textContent.trim() === "";
}"""


def expect_no_error(page: Page) -> None:
    """`[role=alert]#error` is there, and empty or hidden."""
    expect(page.locator("[role=alert]#error")).to_have_count(1)
    page.wait_for_function(NO_ERROR)
