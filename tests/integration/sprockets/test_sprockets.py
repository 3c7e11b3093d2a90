"""The sprockets API as a client sees it, through the local cloud."""

from __future__ import annotations

from typing import Any

import pytest
import requests

pytestmark = pytest.mark.integration

SPROCKET = {"teeth": 14, "pitch_diameter": 57.07, "outside_diameter": 62.56, "pitch": 12.7}
NOT_FOUND = {"message": "Not found."}


@pytest.fixture
def sprocket(http: requests.Session, base_url: str) -> dict[str, Any]:
    response = http.post(f"{base_url}/v1/sprockets", json=SPROCKET)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_create_answers_201_with_the_sprocket_and_its_location(http: requests.Session, base_url: str) -> None:
    response = http.post(f"{base_url}/v1/sprockets", json={**SPROCKET, "teeth": 15})

    assert response.status_code == 201
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body == {"id": body["id"], **SPROCKET, "teeth": 15}
    assert response.headers["Location"] == f"{base_url}/v1/sprockets/{body['id']}"
    assert http.get(response.headers["Location"]).json() == body


def test_get_of_a_missing_sprocket_is_404(http: requests.Session, base_url: str) -> None:
    for path in ("/v1/sprockets/987654", "/v1/sprockets/abc", "/v1/sprockets/0"):
        response = http.get(f"{base_url}{path}")
        assert (response.status_code, response.json()) == (404, NOT_FOUND), path


def test_put_replaces_the_sprocket(http: requests.Session, base_url: str, sprocket: dict[str, Any]) -> None:
    replacement = {"teeth": 30, "pitch_diameter": 121.5, "outside_diameter": 128.9, "pitch": 12.7}

    response = http.put(f"{base_url}/v1/sprockets/{sprocket['id']}", json=replacement)

    assert response.status_code == 200
    assert response.json() == {"id": sprocket["id"], **replacement}
    assert http.get(f"{base_url}/v1/sprockets/{sprocket['id']}").json() == response.json()


def test_put_of_a_missing_sprocket_is_404(http: requests.Session, base_url: str) -> None:
    response = http.put(f"{base_url}/v1/sprockets/987654", json=SPROCKET)

    assert (response.status_code, response.json()) == (404, NOT_FOUND)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {**SPROCKET, "outside_diameter": 57.07},
            "outside_diameter: must be larger than pitch_diameter (57.07)",
        ),
        ({**SPROCKET, "teeth": 0}, "teeth: Input should be greater than 0"),
        ({**SPROCKET, "pitch": "12.7"}, "pitch: Input should be a number"),
        ({"teeth": 14}, "pitch_diameter: Field required"),
    ],
)
def test_invalid_sprockets_are_422_on_post_and_put(
    http: requests.Session, base_url: str, sprocket: dict[str, Any], body: dict[str, Any], message: str
) -> None:
    created = http.post(f"{base_url}/v1/sprockets", json=body)
    replaced = http.put(f"{base_url}/v1/sprockets/{sprocket['id']}", json=body)

    for response in (created, replaced):
        assert response.status_code == 422
        assert message in response.json()["message"]
    assert http.get(f"{base_url}/v1/sprockets/{sprocket['id']}").json() == sprocket


@pytest.mark.parametrize("data", ["", "{}"], ids=["empty body", "empty object"])
def test_post_without_input_is_400(http: requests.Session, base_url: str, data: str) -> None:
    response = http.post(f"{base_url}/v1/sprockets", data=data, headers={"Content-Type": "application/json"})

    assert (response.status_code, response.json()) == (400, {"message": "No input data provided"})


def test_the_list_pages_through_every_sprocket(
    http: requests.Session, base_url: str, sprocket: dict[str, Any]
) -> None:
    url: str | None = f"{base_url}/v1/sprockets?limit=2"
    seen: list[dict[str, Any]] = []

    while url:
        response = http.get(url)
        assert response.status_code == 200
        page = response.json()["sprockets"]
        assert len(page) <= 2
        seen += page
        url = response.links.get("next", {}).get("url")

    assert sprocket in seen
    assert len({item["id"] for item in seen}) == len(seen)


def test_every_route_answers_with_a_trailing_slash(
    http: requests.Session, base_url: str, sprocket: dict[str, Any]
) -> None:
    assert http.get(f"{base_url}/v1/sprockets/").status_code == 200
    assert http.post(f"{base_url}/v1/sprockets/", json=SPROCKET).status_code == 201
    assert http.get(f"{base_url}/v1/sprockets/{sprocket['id']}/").status_code == 200
    assert http.put(f"{base_url}/v1/sprockets/{sprocket['id']}/", json=SPROCKET).status_code == 200


def test_another_method_is_405(http: requests.Session, base_url: str, sprocket: dict[str, Any]) -> None:
    response = http.delete(f"{base_url}/v1/sprockets/{sprocket['id']}")

    assert (response.status_code, response.json()) == (405, {"message": "Method not allowed."})
    assert response.headers["Allow"] == "GET, PUT"


def test_a_retried_post_with_an_idempotency_key_creates_one_sprocket(
    http: requests.Session, base_url: str
) -> None:
    headers = {"Idempotency-Key": "integration-retry-1"}
    body = {**SPROCKET, "teeth": 16}

    first = http.post(f"{base_url}/v1/sprockets", json=body, headers=headers)
    retried = http.post(f"{base_url}/v1/sprockets", json=body, headers=headers)

    assert first.status_code == retried.status_code == 201
    assert retried.json() == first.json()
    assert retried.headers["Idempotent-Replayed"] == "true"
    clash = http.post(f"{base_url}/v1/sprockets", json={**body, "teeth": 17}, headers=headers)
    assert clash.status_code == 422
