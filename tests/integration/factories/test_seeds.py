"""Seed data: the local cloud starts with the demo seeds, `make seed` (python -m infra.seed) loads
seed files through the API, and loading again creates nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from infra.seed import DEMO_SEED_FILES
from infra.topology import ROOT
from tests.integration.cloud import LocalCloud, Ports, cloud_environment, start_cloud

pytestmark = pytest.mark.integration

# The sprocket challenge's own seed files, beside the project (never copied into it).
CHALLENGE_SEEDS = ROOT.parent / "shared" / "seeds" / "sprocket-factory"
CHALLENGE_FILES = (CHALLENGE_SEEDS / "seed_factory_data.json", CHALLENGE_SEEDS / "seed_sprocket_types.json")


def demo(kind: str) -> list[dict[str, Any]]:
    for path in DEMO_SEED_FILES:
        document = json.loads(path.read_text())
        if kind in document:
            return list(document[kind])
    raise AssertionError(f"no demo {kind}")


def seed(base_url: str, *files: Path) -> subprocess.CompletedProcess[str]:
    """`make seed ARGS="--api-url <url> FILE ..."`, as a developer runs it."""
    return subprocess.run(
        [sys.executable, "-m", "infra.seed", "--api-url", base_url, *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def loaded_ids(output: str) -> dict[str, list[int]]:
    """`<file>: 3 sprockets, ... (ids 4, 5, 6)` lines, by file name."""
    ids = {}
    for line in output.splitlines():
        source, _, rest = line.partition(": ")
        ids[Path(source).name] = [int(id_) for id_ in rest.rsplit("(ids ", 1)[1].rstrip(")").split(", ")]
    return ids


def count(http: requests.Session, base_url: str, kind: str) -> int:
    url: str | None = f"{base_url}/v1/{kind}?limit=100"
    total = 0
    while url:
        response = http.get(url)
        total += len(response.json()[kind])
        url = response.links.get("next", {}).get("url")
    return total


def test_the_local_cloud_starts_with_the_demo_seeds(http: requests.Session, base_url: str) -> None:
    factory = http.get(f"{base_url}/v1/factories/1")
    sprocket = http.get(f"{base_url}/v1/sprockets/1")
    picture = http.get(f"{base_url}/v1/factories/1/chart.svg")

    assert factory.status_code == 200
    assert factory.json() == {"id": 1, **demo("factories")[0]["factory"]}
    assert sprocket.status_code == 200
    assert sprocket.json() == {"id": 1, **demo("sprockets")[0]}
    assert picture.status_code == 200
    assert picture.headers["Content-Type"] == "image/svg+xml"


@pytest.mark.skipif(not CHALLENGE_SEEDS.is_dir(), reason=f"{CHALLENGE_SEEDS} is absent")
def test_the_challenges_seed_files_load_and_read_back_unchanged_and_load_once(
    http: requests.Session, base_url: str
) -> None:
    first = seed(base_url, *CHALLENGE_FILES)
    assert first.returncode == 0, first.stderr
    factories_before = count(http, base_url, "factories")
    sprockets_before = count(http, base_url, "sprockets")

    again = seed(base_url, *CHALLENGE_FILES)

    assert again.returncode == 0, again.stderr
    assert "3 factories, 0 created, 3 already loaded" in again.stdout
    assert "3 sprockets, 0 created, 3 already loaded" in again.stdout
    assert loaded_ids(again.stdout) == loaded_ids(first.stdout)
    assert count(http, base_url, "factories") == factories_before
    assert count(http, base_url, "sprockets") == sprockets_before
    ids = loaded_ids(first.stdout)
    factories = json.loads(CHALLENGE_FILES[0].read_text())["factories"]
    sprockets = json.loads(CHALLENGE_FILES[1].read_text())["sprockets"]
    assert (
        len(set(ids["seed_sprocket_types.json"])) == len(sprockets) == 3
    )  # identical entries, three sprockets
    for factory_id, entry in zip(ids["seed_factory_data.json"], factories, strict=True):
        response = http.get(f"{base_url}/v1/factories/{factory_id}")
        assert response.json() == {"id": factory_id, "chart_data": entry["factory"]["chart_data"]}
    for sprocket_id, entry in zip(ids["seed_sprocket_types.json"], sprockets, strict=True):
        response = http.get(f"{base_url}/v1/sprockets/{sprocket_id}")
        assert response.json() == {"id": sprocket_id, **entry}


def test_a_file_not_in_the_seed_format_is_a_one_line_error(base_url: str, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"widgets": []}')

    result = seed(base_url, wrong)

    assert result.returncode == 1
    assert result.stderr.startswith("error: ")
    assert "expected a JSON object with a 'sprockets' or 'factories' list" in result.stderr


def test_a_restart_loads_the_demo_seeds_again_without_duplicating_them(tmp_path: Path) -> None:
    ports = Ports.free()
    for start in range(2):
        cloud = start_cloud(ports, tmp_path, ["dynamodb", "gateway"])
        try:
            with requests.Session() as http:
                assert count(http, cloud.base_url, "factories") == 3, start
                assert count(http, cloud.base_url, "sprockets") == 3, start
                if start == 0:  # a change made after the first start stays
                    replaced = http.put(
                        f"{cloud.base_url}/v1/sprockets/2", json={**demo("sprockets")[1], "teeth": 99}
                    )
                    assert replaced.status_code == 200
                else:
                    assert http.get(f"{cloud.base_url}/v1/sprockets/2").json()["teeth"] == 99
        finally:
            assert cloud.stop() == 0


def test_make_seed_reaches_the_local_cloud_from_its_settings(cloud: LocalCloud, tmp_path: Path) -> None:
    environment = cloud_environment(cloud.ports, tmp_path)

    result = subprocess.run(
        [sys.executable, "-m", "infra.seed"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "seeds/sprockets.json: 3 sprockets, 0 created, 3 already loaded (ids 1, 2, 3)",
        "seeds/factories.json: 3 factories, 0 created, 3 already loaded (ids 1, 2, 3)",
        "seeds/menu.json: 6 products, 0 created, 6 already on the menu; "
        "15 variations, 0 created, 15 already on the menu",
    ]
