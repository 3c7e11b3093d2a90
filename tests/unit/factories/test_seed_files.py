"""Seed files in the sprocket challenge's format, and loading them idempotently (infra.seed)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from infra.seed import DEMO_SEED_FILES, Answer, SeedError, load, read_seed_file


@pytest.fixture
def aws() -> None:
    """Pure functions: none of the moto tables every other unit test gets (half a second each)."""


@pytest.fixture
def _fresh_services() -> None:
    """Nor the services built on them."""


SPROCKET = {"teeth": 5, "pitch_diameter": 5, "outside_diameter": 6, "pitch": 1}
CHART = {"sprocket_production_actual": [1, 2], "sprocket_production_goal": [2, 2], "time": [60, 120]}


class FakeApi:
    """Answers as the API does to a POST with an Idempotency-Key: a known key replays."""

    def __init__(self) -> None:
        self.created: dict[str, int] = {}
        self.posts: list[tuple[str, dict[str, Any]]] = []
        self.refuse = False

    def post(self, path: str, body: dict[str, Any], headers: Mapping[str, str]) -> Answer:
        self.posts.append((path, body))
        if self.refuse:
            return Answer(422, {"message": ["teeth: Input should be greater than 0"]}, {})
        key = f"{path}#{headers['Idempotency-Key']}"
        replayed = key in self.created
        self.created.setdefault(key, len(self.created) + 1)
        return Answer(201, {"id": self.created[key]}, {"idempotent-replayed": "true"} if replayed else {})


def seed_file(tmp_path: Path, name: str, document: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


def test_the_demo_seeds_are_three_factories_of_twenty_one_minute_points_and_three_sprockets() -> None:
    entries = [entry for path in DEMO_SEED_FILES for entry in read_seed_file(path)]

    factories = [entry.body["factory"]["chart_data"] for entry in entries if entry.kind == "factories"]
    assert len(factories) == 3
    assert len([entry for entry in entries if entry.kind == "sprockets"]) == 3
    for chart in factories:
        assert {len(series) for series in chart.values()} == {20}
        times = chart["time"]
        assert {times[index + 1] - times[index] for index in range(len(times) - 1)} == {60}


def test_identical_entries_are_distinct_seeds_and_their_keys_are_stable(tmp_path: Path) -> None:
    path = seed_file(
        tmp_path, "sprockets.json", {"sprockets": [SPROCKET, SPROCKET, {**SPROCKET, "teeth": 6}]}
    )

    first = read_seed_file(path)
    again = read_seed_file(path)

    assert len({entry.idempotency_key for entry in first}) == 3
    assert [entry.idempotency_key for entry in first] == [entry.idempotency_key for entry in again]


def test_loading_twice_creates_nothing_the_second_time(tmp_path: Path) -> None:
    sprockets = seed_file(tmp_path, "s.json", {"sprockets": [SPROCKET, SPROCKET]})
    factories = seed_file(tmp_path, "f.json", {"factories": [{"factory": {"chart_data": CHART}}]})
    api = FakeApi()

    first = load(api, [sprockets, factories])
    second = load(api, [sprockets, factories])

    assert [(loaded.kind, loaded.ids, loaded.created) for loaded in first] == [
        ("sprockets", [1, 2], 2),
        ("factories", [3], 1),
    ]
    assert [(loaded.ids, loaded.created) for loaded in second] == [([1, 2], 0), ([3], 0)]
    assert "2 sprockets, 0 created, 2 already loaded (ids 1, 2)" in second[0].describe()


def test_entries_are_posted_as_written_to_their_route(tmp_path: Path) -> None:
    path = seed_file(
        tmp_path, "both.json", {"factories": [{"factory": {"chart_data": CHART}}], "sprockets": [SPROCKET]}
    )
    api = FakeApi()

    load(api, [path])

    assert api.posts == [("/v1/sprockets", SPROCKET), ("/v1/factories", {"factory": {"chart_data": CHART}})]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("not json", "cannot read it as JSON"),
        ("[]", "expected a JSON object with a 'sprockets' or 'factories' list"),
        ('{"widgets": []}', "expected a JSON object"),
        ('{"sprockets": {"teeth": 5}}', "'sprockets' must be a list of JSON objects"),
        ('{"factories": [1, 2]}', "'factories' must be a list of JSON objects"),
    ],
)
def test_a_file_not_in_the_seed_format_is_refused_before_anything_is_posted(
    tmp_path: Path, content: str, problem: str
) -> None:
    good = seed_file(tmp_path, "good.json", {"sprockets": [SPROCKET]})
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    api = FakeApi()

    with pytest.raises(SeedError, match=problem):
        load(api, [good, bad])
    assert api.posts == []


def test_an_entry_the_api_refuses_stops_the_load_naming_it(tmp_path: Path) -> None:
    path = seed_file(tmp_path, "s.json", {"sprockets": [{**SPROCKET, "teeth": 0}]})
    api = FakeApi()
    api.refuse = True

    with pytest.raises(SeedError, match=r"sprockets entry 1 was refused: 422 .*teeth"):
        load(api, [path])
