"""The factories API as a client sees it, through the local cloud: chart data by range, the chart
picture, and a factory of 100,000 points read back by range. tests/e2e runs it against a deployed
stack; how the points are stored is checked in test_factory_storage.py."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest
import requests

pytestmark = pytest.mark.integration

START = 1_700_000_000
SVG = "{http://www.w3.org/2000/svg}"
NOT_FOUND = {"message": "Not found."}


def chart(points: int, start: int = START, step: int = 60) -> dict[str, list[int]]:
    return {
        "sprocket_production_actual": [(index * 13) % 47 for index in range(points)],
        "sprocket_production_goal": [40 + index % 4 for index in range(points)],
        "time": [start + step * index for index in range(points)],
    }


def in_range(chart_data: dict[str, list[int]], first: int, last: int) -> dict[str, list[int]]:
    """The points from index `first` to `last`, inclusive."""
    return {name: series[first : last + 1] for name, series in chart_data.items()}


def create(http: requests.Session, base_url: str, chart_data: dict[str, list[int]]) -> int:
    response = http.post(f"{base_url}/v1/factories", json={"chart_data": chart_data})
    assert response.status_code == 201, response.text[:500]
    return int(response.json()["id"])


@pytest.fixture(scope="module")
def small_factory(base_url: str) -> tuple[int, dict[str, list[int]]]:
    chart_data = chart(30)
    with requests.Session() as http:
        return create(http, base_url, chart_data), chart_data


@pytest.mark.parametrize("wrapped", [True, False], ids=["seed-file entry", "chart_data"])
def test_create_answers_201_with_the_factory_and_its_location(
    http: requests.Session, base_url: str, wrapped: bool
) -> None:
    chart_data = chart(20)
    body = {"factory": {"chart_data": chart_data}} if wrapped else {"chart_data": chart_data}

    response = http.post(f"{base_url}/v1/factories", json=body)

    assert response.status_code == 201
    created = response.json()
    assert created == {"id": created["id"], "chart_data": chart_data}
    assert response.headers["Location"] == f"{base_url}/v1/factories/{created['id']}"
    assert http.get(response.headers["Location"]).json() == created


def test_a_range_returns_only_its_points(
    http: requests.Session, base_url: str, small_factory: tuple[int, dict[str, list[int]]]
) -> None:
    factory_id, chart_data = small_factory

    response = http.get(
        f"{base_url}/v1/factories/{factory_id}", params={"from": START + 600, "to": START + 900}
    )

    assert response.status_code == 200
    assert response.json() == {"id": factory_id, "chart_data": in_range(chart_data, 10, 15)}


@pytest.mark.parametrize(
    ("chart_data", "message"),
    [
        (
            {**chart(3), "time": [START, START + 60]},
            "chart_data: the series must be equally long, not sprocket_production_actual 3, "
            "sprocket_production_goal 3, time 2",
        ),
        (
            {**chart(3), "time": [START, START - 60, START + 60]},
            f"chart_data.time: times must be strictly increasing: item 1 ({START - 60}) is not after item 0 "
            f"({START})",
        ),
        (
            {**chart(3), "sprocket_production_goal": [1, "x", 3]},
            'chart_data.sprocket_production_goal: item 1 must be an integer from 0 to 1000000000, not "x"',
        ),
    ],
    ids=["lengths", "unsorted times", "wrong type"],
)
def test_invalid_chart_data_is_422_naming_the_problem(
    http: requests.Session, base_url: str, chart_data: dict[str, Any], message: str
) -> None:
    response = http.post(f"{base_url}/v1/factories", json={"chart_data": chart_data})

    assert response.status_code == 422
    assert response.json() == {"message": [message]}


def test_invalid_requests_are_refused_in_the_envelope(
    http: requests.Session, base_url: str, small_factory: tuple[int, dict[str, list[int]]]
) -> None:
    factory_id, _ = small_factory
    factory = f"{base_url}/v1/factories/{factory_id}"

    empty = http.post(f"{base_url}/v1/factories", data="", headers={"Content-Type": "application/json"})
    reversed_range = http.get(factory, params={"from": START + 60, "to": START})
    not_a_time = http.get(factory, params={"from": "yesterday"})
    missing = http.get(f"{base_url}/v1/factories/987654")
    missing_chart = http.get(f"{base_url}/v1/factories/987654/chart.svg")

    assert (empty.status_code, empty.json()) == (400, {"message": "No input data provided"})
    assert (reversed_range.status_code, reversed_range.json()) == (
        400,
        {"message": "`from` must not be after `to`."},
    )
    assert not_a_time.status_code == 422
    assert not_a_time.json()["message"][0].startswith("from: ")
    assert (missing.status_code, missing.json()) == (404, NOT_FOUND)
    assert (missing_chart.status_code, missing_chart.json()) == (404, NOT_FOUND)


def test_the_chart_is_an_svg_of_both_series_with_axes_and_a_legend(
    http: requests.Session, base_url: str, small_factory: tuple[int, dict[str, list[int]]]
) -> None:
    factory_id, _ = small_factory

    response = http.get(
        f"{base_url}/v1/factories/{factory_id}/chart.svg", params={"from": START, "to": START + 600}
    )

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/svg+xml"
    svg = ET.fromstring(response.content)
    assert svg.tag == f"{SVG}svg"
    texts = {element.text for element in svg.iter(f"{SVG}text")}
    assert {
        "actual",
        "goal",
        "time (UTC)",
        "sprockets",
        f"Factory {factory_id}: sprocket production",
    } <= texts
    dots: dict[str, int] = {}
    for group in svg.iter(f"{SVG}g"):
        classes = (group.get("class") or "").split()
        if "series" in classes:
            serie = next(name for name in classes if name.startswith("serie-"))
            circles = [
                circle for circle in group.iter(f"{SVG}circle") if "dot" in (circle.get("class") or "")
            ]
            dots[serie] = dots.get(serie, 0) + len(circles)
    assert dots == {"serie-0": 11, "serie-1": 11}  # both series, at the points from START to START + 600


def test_the_list_pages_through_factories_with_their_charts(
    http: requests.Session, base_url: str, small_factory: tuple[int, dict[str, list[int]]]
) -> None:
    factory_id, chart_data = small_factory
    url: str | None = f"{base_url}/v1/factories?limit=2"
    seen: dict[int, Any] = {}

    while url:
        response = http.get(url)
        assert response.status_code == 200
        page = response.json()["factories"]
        assert 1 <= len(page) <= 2
        seen.update({factory["id"]: factory["chart_data"] for factory in page})
        url = response.links.get("next", {}).get("url")

    assert seen[factory_id] == chart_data


def test_every_route_answers_with_a_trailing_slash(
    http: requests.Session, base_url: str, small_factory: tuple[int, dict[str, list[int]]]
) -> None:
    factory_id, _ = small_factory

    assert http.get(f"{base_url}/v1/factories/").status_code == 200
    assert http.post(f"{base_url}/v1/factories/", json={"chart_data": chart(2)}).status_code == 201
    assert http.get(f"{base_url}/v1/factories/{factory_id}/").status_code == 200
    assert http.get(f"{base_url}/v1/factories/{factory_id}/chart.svg/").status_code == 200


def test_a_factory_of_100000_points_is_created_and_read_back_by_range(
    http: requests.Session, base_url: str
) -> None:
    points = 100_000
    chart_data = chart(points)

    created = http.post(f"{base_url}/v1/factories", json={"factory": {"chart_data": chart_data}})
    assert created.status_code == 201
    factory_id = created.json()["id"]
    assert created.json()["chart_data"] == chart_data

    # A range in the middle, across chunk boundaries, bounds between points.
    first, last = 41_234, 47_890
    ranged = http.get(
        f"{base_url}/v1/factories/{factory_id}",
        params={"from": chart_data["time"][first] - 30, "to": chart_data["time"][last] + 30},
    )
    assert ranged.status_code == 200
    assert ranged.json() == {"id": factory_id, "chart_data": in_range(chart_data, first, last)}

    # The same range in pages of 2,500 points, following the Link headers.
    url: str | None = (
        f"{base_url}/v1/factories/{factory_id}?from={chart_data['time'][first]}&to={chart_data['time'][last]}"
        "&limit=2500"
    )
    times: list[int] = []
    while url:
        page = http.get(url)
        assert page.status_code == 200
        times += page.json()["chart_data"]["time"]
        url = page.links.get("next", {}).get("url")
    assert times == chart_data["time"][first : last + 1]

    whole = http.get(f"{base_url}/v1/factories/{factory_id}")
    assert whole.json()["chart_data"] == chart_data
    picture = http.get(f"{base_url}/v1/factories/{factory_id}/chart.svg")
    assert picture.status_code == 200
    assert ET.fromstring(picture.content).tag == f"{SVG}svg"
