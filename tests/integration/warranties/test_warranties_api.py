"""The warranties API as a client sees it over HTTP (also run against a deployed stack: tests/e2e)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

pytestmark = pytest.mark.integration


def sold(**changes: Any) -> dict[str, Any]:
    return {
        "store_uuid": str(uuid.uuid4()),
        "item_type": "tools",
        "item_sku": "DRILL",
        "item_cost": 89.9,
        "item_title": "Drill",
        **changes,
    }


def test_create_answers_201_with_the_warranty_and_its_location(http: requests.Session, base_url: str) -> None:
    body = sold(item_type="electronics", item_cost=1000)

    created = http.post(f"{base_url}/warranties", json=body)

    assert created.status_code == 201
    warranty = created.json()
    assert warranty["store"]["uuid"] == body["store_uuid"]
    assert warranty["item"] == {"type": "electronics", "sku": "DRILL", "cost": 1000, "title": "Drill"}
    assert (warranty["warranty_price"], warranty["warranty_duration_months"]) == (84.0, 24)
    assert created.headers["Location"].endswith(f"/warranties/{warranty['id']}")
    assert http.get(created.headers["Location"]).json() == warranty


def test_bad_input_is_a_4xx_in_the_envelope(http: requests.Session, base_url: str) -> None:
    assert http.post(
        f"{base_url}/warranties", data="", headers={"Content-Type": "application/json"}
    ).json() == {"message": "No input data provided"}
    invalid = http.post(f"{base_url}/warranties", json=sold(item_cost=-1, store_uuid="not a store id"))
    assert invalid.status_code == 422
    assert {message.split(":")[0] for message in invalid.json()["message"]} == {"item_cost", "store_uuid"}
    assert http.get(f"{base_url}/warranties/999999999").status_code == 404


def test_a_filtered_read_finds_that_store_and_item_only(http: requests.Session, base_url: str) -> None:
    store = str(uuid.uuid4())
    body = {
        "store_uuid": store,
        "item_type": "tools",
        "item_sku": "DRILL",
        "item_cost": 89.9,
        "item_title": "Drill",
    }
    ids = {http.post(f"{base_url}/warranties", json=body).json()["id"] for _ in range(3)}
    http.post(f"{base_url}/warranties", json={**body, "item_sku": "SAW"})

    found = http.get(
        f"{base_url}/warranties/", params={"sku": "DRILL", "item_type": "tools", "store_uuid": store}
    )

    assert found.status_code == 200
    assert {warranty["id"] for warranty in found.json()} == ids
    partial = http.get(f"{base_url}/warranties", params={"sku": "DRILL"})
    assert partial.status_code == 400
    assert partial.json() == {
        "message": "Filter by all of sku, item_type and store_uuid; missing: item_type, store_uuid."
    }


def test_an_idempotent_replay_creates_nothing(http: requests.Session, base_url: str) -> None:
    body: dict[str, Any] = {
        "store_uuid": str(uuid.uuid4()),
        "item_type": "jewelry",
        "item_sku": "RING",
        "item_cost": 450,
        "item_title": "Ring",
    }
    headers = {"Idempotency-Key": str(uuid.uuid4())}

    first = http.post(f"{base_url}/warranties", json=body, headers=headers)
    again = http.post(f"{base_url}/warranties", json=body, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    listed = http.get(
        f"{base_url}/warranties",
        params={"sku": "RING", "item_type": "jewelry", "store_uuid": body["store_uuid"]},
    )
    assert [warranty["id"] for warranty in listed.json()] == [first.json()["id"]]
