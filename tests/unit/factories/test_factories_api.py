"""The factories routes through the real handler, on moto's DynamoDB."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest

from shopfloor.factories import service as factories_service
from shopfloor.factories.points import POINTS_PER_CHUNK
from shopfloor.platform.pagination import encode_cursor
from tests.helpers.handlers import HandlerClient, Reply

START = 1_611_194_818
SVG = "{http://www.w3.org/2000/svg}"


def chart(points: int, start: int = START, step: int = 60) -> dict[str, list[int]]:
    return {
        "sprocket_production_actual": [(index * 7) % 40 for index in range(points)],
        "sprocket_production_goal": [30 + index % 3 for index in range(points)],
        "time": [start + step * index for index in range(points)],
    }


def create(factories: HandlerClient, chart_data: dict[str, list[int]]) -> int:
    reply = factories.post("/v1/factories", body={"chart_data": chart_data})
    assert reply.status == 201, reply.body
    return int(reply.json()["id"])


def in_range(chart_data: dict[str, list[int]], start: int, end: int) -> dict[str, list[int]]:
    kept = [index for index, time in enumerate(chart_data["time"]) if start <= time <= end]
    return {name: [series[index] for index in kept] for name, series in chart_data.items()}


def next_path(reply: Reply) -> str | None:
    link = reply.headers.get("Link")
    return link.split(">")[0].removeprefix("<https://api.example.com") if link else None


@pytest.mark.parametrize("wrapped", [True, False], ids=["seed-file entry", "chart_data"])
def test_create_answers_201_with_the_factory_and_its_location(
    factories: HandlerClient, wrapped: bool
) -> None:
    chart_data = chart(20)
    body = {"factory": {"chart_data": chart_data}} if wrapped else {"chart_data": chart_data}

    reply = factories.post("/v1/factories", body=body)

    assert reply.status == 201
    created = reply.json()
    assert created == {"id": created["id"], "chart_data": chart_data}
    assert reply.headers["Location"] == f"https://api.example.com/v1/factories/{created['id']}"


def test_get_returns_the_whole_chart(factories: HandlerClient) -> None:
    chart_data = chart(20)
    factory_id = create(factories, chart_data)

    reply = factories.get(f"/v1/factories/{factory_id}")

    assert reply.status == 200
    assert reply.json() == {"id": factory_id, "chart_data": chart_data}
    assert "Link" not in reply.headers


@pytest.mark.parametrize("factory_id", ["999", "0", "-2", "abc", "1.0"])
def test_get_of_a_missing_or_invalid_id_is_404(factories: HandlerClient, factory_id: str) -> None:
    reply = factories.get(f"/v1/factories/{factory_id}")

    assert reply.status == 404
    assert reply.json() == {"message": "Not found."}


@pytest.mark.parametrize(
    ("query", "start", "end"),
    [
        (f"from={START + 300}&to={START + 600}", START + 300, START + 600),
        (f"from={START + 301}&to={START + 599}", START + 360, START + 540),
        (f"from={START + 600}", START + 600, START + 60 * 19),
        (f"to={START + 120}", START, START + 120),
        (f"from={START + 120}&to={START + 120}", START + 120, START + 120),
        (f"from={START - 1000}&to={START + 10**6}", START, START + 60 * 19),
    ],
    ids=["inclusive", "between points", "from only", "to only", "one point", "wider than the chart"],
)
def test_get_with_from_and_to_returns_only_the_points_in_range(
    factories: HandlerClient, query: str, start: int, end: int
) -> None:
    chart_data = chart(20)
    factory_id = create(factories, chart_data)

    reply = factories.get(f"/v1/factories/{factory_id}?{query}")

    assert reply.status == 200
    assert reply.json() == {"id": factory_id, "chart_data": in_range(chart_data, start, end)}


def test_a_range_without_points_has_empty_series(factories: HandlerClient) -> None:
    factory_id = create(factories, chart(20))

    reply = factories.get(f"/v1/factories/{factory_id}?from={START + 1}&to={START + 59}")

    assert reply.status == 200
    assert reply.json()["chart_data"] == {
        "sprocket_production_actual": [],
        "sprocket_production_goal": [],
        "time": [],
    }


def test_ranges_across_chunks_are_read_back_exactly(factories: HandlerClient) -> None:
    points = 2 * POINTS_PER_CHUNK + 500
    chart_data = chart(points, step=10)
    factory_id = create(factories, chart_data)
    times = chart_data["time"]

    for first, last in [
        (0, points - 1),
        (POINTS_PER_CHUNK - 3, POINTS_PER_CHUNK + 2),
        (10, 2 * POINTS_PER_CHUNK),
    ]:
        reply = factories.get(f"/v1/factories/{factory_id}?from={times[first]}&to={times[last]}")
        assert reply.json()["chart_data"] == in_range(chart_data, times[first], times[last]), (first, last)
    assert factories.get(f"/v1/factories/{factory_id}").json()["chart_data"] == chart_data


def test_the_chart_pages_by_limit_with_link_headers(factories: HandlerClient) -> None:
    chart_data = chart(20)
    factory_id = create(factories, chart_data)
    start, end = START + 60, START + 60 * 18
    path: str | None = f"/v1/factories/{factory_id}?from={start}&to={end}&limit=7"
    times: list[int] = []
    pages = 0

    while path:
        reply = factories.get(path)
        assert reply.status == 200
        page = reply.json()["chart_data"]
        assert len(page["time"]) <= 7
        times += page["time"]
        pages += 1
        path = next_path(reply)
        if path:
            assert f"from={start}" in path
            assert f"to={end}" in path

    assert times == in_range(chart_data, start, end)["time"]
    assert pages == 3


def test_a_cursor_of_another_factory_is_400(factories: HandlerClient) -> None:
    first = create(factories, chart(20))
    second = create(factories, chart(20))
    link = next_path(factories.get(f"/v1/factories/{first}?limit=5"))
    assert link is not None

    reply = factories.get(link.replace(f"/v1/factories/{first}", f"/v1/factories/{second}"))

    assert reply.status == 400
    assert reply.json() == {"message": "Invalid cursor."}


def test_a_forged_cursor_beyond_any_time_is_400(factories: HandlerClient) -> None:
    factory_id = create(factories, chart(3))
    forged = encode_cursor({"factory_id": {"N": str(factory_id)}, "time": {"N": "1" * 60}})

    reply = factories.get(f"/v1/factories/{factory_id}?cursor={forged}")

    assert reply.status == 400
    assert reply.json() == {"message": "Invalid cursor."}


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        (f"from={START + 10}&to={START}", 400, "`from` must not be after `to`."),
        ("from=abc", 422, "from: "),
        ("to=-1", 422, "to: "),
        ("to=1.5", 422, "to: "),
        ("limit=0", 422, "limit: "),
        ("limit=150001", 422, "limit: "),
        ("cursor=garbage", 400, "Invalid cursor."),
    ],
)
def test_invalid_query_parameters_are_refused(
    factories: HandlerClient, query: str, status: int, message: str
) -> None:
    factory_id = create(factories, chart(3))

    reply = factories.get(f"/v1/factories/{factory_id}?{query}")

    assert reply.status == status
    body = reply.json()["message"]
    assert body == message if isinstance(body, str) else body[0].startswith(message)


@pytest.mark.parametrize("raw_body", [None, "", "{}"])
def test_create_without_input_is_400(factories: HandlerClient, raw_body: str | None) -> None:
    reply = factories.post("/v1/factories", raw_body=raw_body)

    assert reply.status == 400
    assert reply.json() == {"message": "No input data provided"}


def _with(**series: Any) -> dict[str, Any]:
    return {"chart_data": {**chart(3), **series}}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            _with(time=[START, START + 60]),
            "chart_data: the series must be equally long, not "
            "sprocket_production_actual 3, sprocket_production_goal 3, time 2",
        ),
        (
            _with(time=[START, START + 120, START + 60]),
            "chart_data.time: times must be strictly increasing: "
            f"item 2 ({START + 60}) is not after item 1 ({START + 120})",
        ),
        (
            _with(time=[START, START, START + 60]),
            "chart_data.time: times must be strictly increasing: "
            f"item 1 ({START}) is not after item 0 ({START})",
        ),
        (
            _with(sprocket_production_actual=[1, "2", 3]),
            'chart_data.sprocket_production_actual: item 1 must be an integer from 0 to 1000000000, not "2"',
        ),
        (
            _with(sprocket_production_goal=[1, 2.5, 3]),
            "chart_data.sprocket_production_goal: item 1 must be an integer from 0 to 1000000000, not 2.5",
        ),
        (
            _with(sprocket_production_goal=[1, True, 3]),
            "chart_data.sprocket_production_goal: item 1 must be an integer from 0 to 1000000000, not true",
        ),
        (
            _with(sprocket_production_actual=[1, -2, 3]),
            "chart_data.sprocket_production_actual: item 1 must be an integer from 0 to 1000000000, not -2",
        ),
        (_with(time="soon"), "chart_data.time: Input should be a list of integers"),
        (
            _with(time=[], sprocket_production_actual=[], sprocket_production_goal=[]),
            "chart_data.sprocket_production_actual: must hold from 1 to 150000 points, not 0",
        ),
        (
            {"chart_data": "none"},
            "chart_data: Input should be a valid dictionary or object to extract fields from",
        ),
        ({"factory": {"chart": {}}}, "chart_data: Field required"),
        ({"chart_data": {"time": [START]}}, "chart_data.sprocket_production_actual: Field required"),
    ],
    ids=[
        "lengths",
        "unsorted times",
        "repeated time",
        "string",
        "float",
        "boolean",
        "negative",
        "not a list",
        "empty",
        "not an object",
        "no chart_data",
        "missing series",
    ],
)
def test_create_with_invalid_chart_data_is_422_naming_the_problem(
    factories: HandlerClient, body: dict[str, Any], message: str
) -> None:
    reply = factories.post("/v1/factories", body=body)

    assert reply.status == 422
    assert message in reply.json()["message"]
    assert factories.get("/v1/factories").json() == {"factories": []}


def test_a_chart_of_more_than_the_largest_is_422(factories: HandlerClient) -> None:
    reply = factories.post("/v1/factories", body={"chart_data": chart(150_001, step=1)})

    assert reply.status == 422
    assert "chart_data.time: must hold from 1 to 150000 points, not 150001" in reply.json()["message"]


def test_every_route_answers_with_a_trailing_slash(factories: HandlerClient) -> None:
    factory_id = create(factories, chart(3))

    assert factories.get("/v1/factories/").status == 200
    assert factories.post("/v1/factories/", body={"chart_data": chart(3)}).status == 201
    assert factories.get(f"/v1/factories/{factory_id}/").status == 200
    assert factories.get(f"/v1/factories/{factory_id}/chart.svg/").status == 200


def test_list_pages_factories_with_their_charts(factories: HandlerClient) -> None:
    created = {create(factories, chart(points)): chart(points) for points in range(1, 6)}
    seen: dict[int, Any] = {}
    path: str | None = "/v1/factories?limit=2"
    pages = 0

    while path:
        reply = factories.get(path)
        assert reply.status == 200
        page = reply.json()["factories"]
        assert 1 <= len(page) <= 2
        seen.update({factory["id"]: factory["chart_data"] for factory in page})
        pages += 1
        path = next_path(reply)

    assert seen == created
    assert pages == 3
    assert list(seen) == sorted(seen)  # in id order


def test_the_summary_view_pages_factories_without_their_charts(
    factories: HandlerClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(factories_service, "MAX_PAGE_POINTS", 1)  # a summary reads no point at all
    created = {create(factories, chart(points, start=1000 * points)): points for points in (3, 1, 4, 2, 5)}
    seen: list[dict[str, Any]] = []
    path: str | None = "/v1/factories?limit=2&view=summary"
    links: list[str] = []

    while path:
        reply = factories.get(path)
        assert reply.status == 200
        page = reply.json()["factories"]
        assert 1 <= len(page) <= 2
        seen += page
        links.append(reply.headers.get("Link", ""))
        path = next_path(reply)

    assert seen == [
        {"id": factory_id, "points": points, "from": 1000 * points, "to": 1000 * points + 60 * (points - 1)}
        for factory_id, points in sorted(created.items())
    ]
    assert len(links) == 3
    assert all("view=summary" in link for link in links[:-1])
    assert links[-1] == ""


def test_the_summary_view_of_no_factory_is_an_empty_page(factories: HandlerClient) -> None:
    reply = factories.get("/v1/factories?view=summary")

    assert reply.status == 200
    assert reply.json() == {"factories": []}
    assert "Link" not in reply.headers


def test_a_page_of_factories_holds_a_bounded_number_of_points(
    factories: HandlerClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(factories_service, "MAX_PAGE_POINTS", 25)
    created = {create(factories, chart(points)) for points in (20, 10, 30)}
    seen: list[int] = []
    path: str | None = "/v1/factories?limit=100"

    while path:
        reply = factories.get(path)
        page = reply.json()["factories"]
        assert sum(len(factory["chart_data"]["time"]) for factory in page) <= 25 or len(page) == 1
        seen += [factory["id"] for factory in page]
        path = next_path(reply)

    assert sorted(seen) == sorted(created)


@pytest.mark.parametrize(
    ("query", "field"), [("limit=0", "limit"), ("limit=101", "limit"), ("view=all", "view")]
)
def test_list_with_an_invalid_limit_is_422(factories: HandlerClient, query: str, field: str) -> None:
    reply = factories.get(f"/v1/factories?{query}")

    assert reply.status == 422
    assert reply.json()["message"][0].startswith(f"{field}: ")


@pytest.mark.parametrize(
    "cursor",
    [
        "W10",
        encode_cursor({"id": {"S": "1"}}),  # a key of our shape, but not a number
        encode_cursor({"id": {"N": "9" * 39}}),  # more digits than DynamoDB takes
    ],
)
@pytest.mark.parametrize("view", ["chart", "summary"])
def test_list_with_a_cursor_we_did_not_issue_is_400(factories: HandlerClient, cursor: str, view: str) -> None:
    reply = factories.get(f"/v1/factories?cursor={cursor}&view={view}")

    assert reply.status == 400
    assert reply.json() == {"message": "Invalid cursor."}


def test_a_repeated_post_with_the_same_idempotency_key_creates_nothing(factories: HandlerClient) -> None:
    body = {"factory": {"chart_data": chart(20)}}
    first = factories.post("/v1/factories", body=body, headers={"Idempotency-Key": "seed-1"})

    again = factories.post("/v1/factories", body=body, headers={"Idempotency-Key": "seed-1"})

    assert first.status == again.status == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert [factory["id"] for factory in factories.get("/v1/factories").json()["factories"]] == [
        first.json()["id"]
    ]


def test_the_same_idempotency_key_with_another_chart_is_422(factories: HandlerClient) -> None:
    factories.post("/v1/factories", body={"chart_data": chart(20)}, headers={"Idempotency-Key": "k"})

    reply = factories.post("/v1/factories", body={"chart_data": chart(21)}, headers={"Idempotency-Key": "k"})

    assert reply.status == 422
    assert reply.json() == {"message": ["Idempotency-Key: already used for a different request"]}


def chart_svg(factories: HandlerClient, path: str) -> ET.Element:
    reply = factories.get(path)
    assert reply.status == 200, reply.body
    assert reply.headers["Content-Type"] == "image/svg+xml"
    return ET.fromstring(reply.body.encode())


def texts(svg: ET.Element) -> list[str]:
    return [element.text or "" for element in svg.iter(f"{SVG}text")]


def series_lines(svg: ET.Element) -> list[ET.Element]:
    """The line of each series pygal drew (`<g class="series serie-N ..."><path class="line ...">`)."""
    return [
        path
        for group in svg.iter(f"{SVG}g")
        if "series" in (group.get("class") or "").split()
        for path in group.iter(f"{SVG}path")
        if "line" in (path.get("class") or "").split()
    ]


def test_the_chart_is_an_svg_line_chart_of_actual_against_goal(factories: HandlerClient) -> None:
    factory_id = create(factories, chart(20))

    svg = chart_svg(factories, f"/v1/factories/{factory_id}/chart.svg")

    assert svg.tag == f"{SVG}svg"
    labels = texts(svg)
    assert f"Factory {factory_id}: sprocket production" in labels
    assert {"actual", "goal", "time (UTC)", "sprockets"} <= set(labels)
    assert any(label.startswith("2021-01-21 ") for label in labels)  # times on the x axis, in UTC
    assert len(series_lines(svg)) == 2
    # pygal inlines its configuration; it must not link its tooltip script from elsewhere.
    scripts = list(svg.iter(f"{SVG}script"))
    assert not [script for script in scripts if script.get("{http://www.w3.org/1999/xlink}href")]


def test_the_chart_draws_only_the_range(factories: HandlerClient) -> None:
    factory_id = create(factories, chart(20))
    path = f"/v1/factories/{factory_id}/chart.svg?from={START + 600}&to={START + 660}"

    svg = chart_svg(factories, path)

    dots = [circle for circle in svg.iter(f"{SVG}circle") if "dot" in (circle.get("class") or "")]
    assert len(dots) == 4  # two points in range, two series


def test_a_long_chart_is_drawn_from_averages(factories: HandlerClient) -> None:
    factory_id = create(factories, chart(5000, step=1))

    svg = chart_svg(factories, f"/v1/factories/{factory_id}/chart.svg")

    assert f"Factory {factory_id}: sprocket production (averages of 10 points)" in texts(svg)


def test_the_chart_of_a_missing_factory_is_404_in_the_envelope(factories: HandlerClient) -> None:
    reply = factories.get("/v1/factories/4242/chart.svg")

    assert reply.status == 404
    assert reply.json() == {"message": "Not found."}


def test_the_chart_with_from_after_to_is_400(factories: HandlerClient) -> None:
    factory_id = create(factories, chart(3))

    reply = factories.get(f"/v1/factories/{factory_id}/chart.svg?from=10&to=5")

    assert reply.status == 400
    assert reply.json() == {"message": "`from` must not be after `to`."}
