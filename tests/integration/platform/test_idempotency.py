"""One Idempotency-Key for every POST that creates: the three routes answer alike, over HTTP."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

ROUTES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    # route: (a request, the same route's other request)
    "/warranties": (
        {
            "store_uuid": "5b0c1f9e-8d2a-4c3e-9f1a-2b7d6e4c8a10",
            "item_type": "electronics",
            "item_sku": "TV-1",
            "item_cost": 100,
            "item_title": "TV",
        },
        {
            "store_uuid": "5b0c1f9e-8d2a-4c3e-9f1a-2b7d6e4c8a10",
            "item_type": "electronics",
            "item_sku": "TV-1",
            "item_cost": 101,
            "item_title": "TV",
        },
    ),
    "/v1/factories": (
        {
            "chart_data": {
                "sprocket_production_actual": [1, 2],
                "sprocket_production_goal": [3, 4],
                "time": [60, 120],
            }
        },
        {
            "chart_data": {
                "sprocket_production_actual": [1, 9],
                "sprocket_production_goal": [3, 4],
                "time": [60, 120],
            }
        },
    ),
    "/v1/sprockets": (
        {"teeth": 5, "pitch_diameter": 5, "outside_diameter": 6, "pitch": 1},
        {"teeth": 6, "pitch_diameter": 5, "outside_diameter": 6, "pitch": 1},
    ),
}
REUSED = {"message": ["Idempotency-Key: already used for a different request"]}


def post(base_url: str, path: str, body: dict[str, Any], key: str) -> requests.Response:
    return requests.post(f"{base_url}{path}", json=body, headers={"Idempotency-Key": key}, timeout=30)


@pytest.fixture(params=sorted(ROUTES))
def route(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_a_replay_answers_the_first_response(base_url: str, route: str) -> None:
    key = str(uuid.uuid4())
    first = post(base_url, route, ROUTES[route][0], key)

    again = post(base_url, route, ROUTES[route][0], key)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert requests.get(first.headers["Location"], timeout=10).status_code == 200


def test_the_key_of_another_request_is_422(base_url: str, route: str) -> None:
    key = str(uuid.uuid4())
    post(base_url, route, ROUTES[route][0], key)

    reused = post(base_url, route, ROUTES[route][1], key)

    assert reused.status_code == 422
    assert reused.json() == REUSED


@pytest.mark.parametrize("key", ["", "k" * 256, "tab\there", "caf\u00e9"])
def test_a_malformed_key_is_422_and_creates_nothing(base_url: str, route: str, key: str) -> None:
    reply = requests.post(
        f"{base_url}{route}",
        json=ROUTES[route][0],
        headers={"Idempotency-Key": key.encode()},  # raw bytes, as sent
        timeout=10,
    )

    assert reply.status_code == 422
    assert reply.headers["Content-Type"].startswith("application/json")
    (message,) = reply.json()["message"]
    assert message.startswith("Idempotency-Key: ")


def test_of_20_concurrent_requests_with_one_key_exactly_one_creates(base_url: str, route: str) -> None:
    key = str(uuid.uuid4())

    with ThreadPoolExecutor(max_workers=20) as pool:
        replies = list(pool.map(lambda _: post(base_url, route, ROUTES[route][0], key), range(20)))

    assert [reply.status_code for reply in replies] == [201] * 20
    assert len({reply.text for reply in replies}) == 1
    assert len({reply.headers["Location"] for reply in replies}) == 1
    created = [reply for reply in replies if "Idempotent-Replayed" not in reply.headers]
    assert len(created) == 1
