"""The factories page (factories.html) in Chromium against the local cloud and its demo factories."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, Response, expect

from infra.topology import ROOT
from tests.browser import weight
from tests.browser.conftest import Visitor, Weigh
from tests.browser.pages import DESKTOP, PHONE, expect_no_error

pytestmark = pytest.mark.browser

DEMO_FACTORIES = len(json.loads((ROOT / "seeds" / "factories.json").read_text())["factories"])


def choose_last_factory(page: Page) -> tuple[str, Response]:
    """Chooses the last factory of `#factories` (of its first page, once it is loaded); its id and
    the chart's response."""
    expect(page.locator("#factories-loading")).to_be_hidden()
    factories = page.locator("#factories li[data-factory-id]")
    expect(factories.first).to_be_visible()
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


def test_the_demo_factories_are_listed(visitor: Visitor, fresh_data: bool) -> None:
    if not fresh_data:
        pytest.skip("a shared stack lists everyone's factories, not the demo seeds' alone")
    page = visitor(PHONE)
    page.goto("/app/factories.html")
    expect(page.locator("#factories li[data-factory-id]")).to_have_count(DEMO_FACTORIES)
    expect(page.locator("#more-factories")).to_be_hidden()


def test_a_factory_is_chosen_and_its_chart_shown(visitor: Visitor) -> None:
    page = visitor(PHONE)
    api_requests: list[str] = []
    page.on("request", lambda request: api_requests.append(request.url) if "/v1/" in request.url else None)
    page.goto("/app/factories.html")
    factory_id, response = choose_last_factory(page)
    expect(page.locator("img#chart")).to_have_attribute(
        "src", re.compile(rf"^(https?://[^/]+)?/v1/factories/{factory_id}/chart\.svg(\?.*)?$")
    )
    expect_chart_shown(page, response)
    expect(page.locator("#factory-name")).to_have_text(f"Factory {factory_id}")
    # The list's summary (one Query of an index, no chart data): the points and their time span.
    when = r"\d{4}-\d\d-\d\d \d\d:\d\d"
    expect(page.locator("#factory-summary")).to_have_text(re.compile(rf"^\d+ points?, {when} to {when} UTC$"))
    expect_no_error(page)
    listed, *charts = (urlparse(url) for url in api_requests)
    assert (listed.path, parse_qs(listed.query)) == ("/v1/factories", {"view": ["summary"], "limit": ["20"]})
    assert [chart.path for chart in charts] == [f"/v1/factories/{factory_id}/chart.svg"]


def test_a_link_to_a_factory_shows_its_chart(visitor: Visitor) -> None:
    page = visitor(DESKTOP)
    page.goto("/app/factories.html")
    factory_id, _ = choose_last_factory(page)

    linked = visitor(DESKTOP)
    with linked.expect_response(lambda response: "/chart.svg" in response.url) as chart:
        linked.goto(f"/app/factories.html?factory={factory_id}")
    expect_chart_shown(linked, chart.value)
    expect(linked.locator(f'#factories li[data-factory-id="{factory_id}"]')).to_have_class(
        re.compile(r"\bselected\b")
    )


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


def test_first_load_weighs_under_the_budget(weigh: Weigh) -> None:
    (visit,) = (visit for visit in weight.VISITS if visit.page == "factories.html")
    weigh(visit)
