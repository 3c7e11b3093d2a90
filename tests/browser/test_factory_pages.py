"""The factories page (factories.html) in Chromium against the local cloud and its demo factories."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, Page, Response, expect

from infra.topology import ROOT
from tests.browser import weight
from tests.browser.conftest import Visitor
from tests.browser.pages import DESKTOP, PHONE, expect_no_error

pytestmark = pytest.mark.browser

DEMO_FACTORIES = len(json.loads((ROOT / "seeds" / "factories.json").read_text())["factories"])


def choose_last_factory(page: Page) -> tuple[str, Response]:
    """Chooses the last factory of `#factories`; its id and the chart's response."""
    factories = page.locator("#factories li[data-factory-id]")
    expect(factories).to_have_count(DEMO_FACTORIES)
    last = factories.last
    factory_id = last.get_attribute("data-factory-id")
    assert factory_id
    chart_path = f"/v1/factories/{factory_id}/chart.svg"
    with page.expect_response(lambda response: urlparse(response.url).path == chart_path) as chart:
        last.click()
    return factory_id, chart.value


def expect_chart_shown(page: Page, response: Response) -> None:
    assert response.status == 200, response.text()
    assert response.headers["content-type"].startswith("image/svg+xml"), response.headers
    page.wait_for_function(weight.CHART_LOADED)
    natural_width = page.locator("img#chart").evaluate("chart => chart.naturalWidth")
    assert natural_width > 0


def test_a_factory_is_chosen_and_its_chart_shown(visitor: Visitor) -> None:
    page = visitor(PHONE)
    page.goto("/app/factories.html")
    factory_id, response = choose_last_factory(page)
    expect(page.locator("img#chart")).to_have_attribute(
        "src", re.compile(rf"^(https?://[^/]+)?/v1/factories/{factory_id}/chart\.svg(\?.*)?$")
    )
    expect_chart_shown(page, response)
    expect(page.locator("#factory-name")).not_to_be_empty()
    expect_no_error(page)


def test_a_range_is_applied_to_the_chart(visitor: Visitor) -> None:
    """The demo factories' points are on 19-21 November 2026 (UTC, the context's time zone)."""
    page = visitor(DESKTOP)
    page.goto("/app/factories.html")
    choose_last_factory(page)
    page.locator("input#from").fill("2026-11-19T00:00")
    page.locator("input#to").fill("2026-11-22T00:00")
    with page.expect_response(lambda response: "/chart.svg" in response.url) as chart:
        page.locator("button#apply-range").click()
    expect_chart_shown(page, chart.value)
    query = parse_qs(urlparse(chart.value.url).query)
    assert query.get("from") == ["1795046400"], chart.value.url
    assert query.get("to") == ["1795305600"], chart.value.url
    source = page.locator("img#chart").get_attribute("src") or ""
    assert "from=1795046400" in source, source
    assert "to=1795305600" in source, source


def test_first_load_weighs_under_the_budget(
    browser: Browser, base_url: str, page_weights: list[weight.PageWeight]
) -> None:
    (visit,) = (visit for visit in weight.VISITS if visit.page == "factories.html")
    weight.check(weight.measure(browser, base_url, visit), page_weights)
