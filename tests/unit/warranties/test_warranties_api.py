"""The warranties routes through the real handler, on moto's DynamoDB."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import boto3
import pytest

from tests.helpers.handlers import HandlerClient, load_handler
from tests.unit.conftest import TABLE_NAMES

STORE = "5b0c1f9e-8d2a-4c3e-9f1a-2b7d6e4c8a10"


@pytest.fixture
def warranties() -> HandlerClient:
    return HandlerClient(load_handler("warranties"))


def sold(**changes: Any) -> dict[str, Any]:
    item = {
        "store_uuid": STORE,
        "item_type": "electronics",
        "item_sku": "TV-55",
        "item_cost": 1299.99,
        "item_title": "55-inch television",
    }
    return {**item, **changes}


def create(warranties: HandlerClient, **changes: Any) -> dict[str, Any]:
    reply = warranties.post("/warranties", body=sold(**changes))
    assert reply.status == 201, reply.body
    return dict(reply.json())


def table_count(name: str) -> int:
    return int(boto3.client("dynamodb").scan(TableName=TABLE_NAMES[name], Select="COUNT")["Count"])


def test_create_returns_the_priced_warranty_with_its_location(warranties: HandlerClient) -> None:
    reply = warranties.post("/warranties", body=sold())

    assert reply.status == 201
    body = reply.json()
    assert body == {
        "id": body["id"],
        "store": {"uuid": STORE, "created_at": body["created_at"]},
        "item": {"type": "electronics", "sku": "TV-55", "cost": 1299.99, "title": "55-inch television"},
        "warranty_price": 102.0,
        "warranty_duration_months": 36,
        "created_at": body["created_at"],
    }
    assert body["created_at"].endswith("Z")
    assert reply.headers["Location"] == f"https://api.example.com/warranties/{body['id']}"
    assert warranties.get(f"/warranties/{body['id']}").json() == body


def test_a_store_and_an_item_are_created_once_and_keep_their_first_time(warranties: HandlerClient) -> None:
    first = create(warranties)
    second = create(warranties, item_title="Another title", item_cost=999)
    fresh = HandlerClient(load_handler("warranties"))  # a container that never saw the store
    from shopfloor.warranties.wiring import warranty_service as built

    built.cache_clear()
    third = fresh.post("/warranties", body=sold()).json()

    assert table_count("stores") == 1
    assert table_count("items") == 1
    assert table_count("warranties") == 3
    assert first["store"] == second["store"] == third["store"]
    # Each warranty carries the item as it was in its own request.
    assert second["item"] == {"type": "electronics", "sku": "TV-55", "cost": 999, "title": "Another title"}


def test_the_item_key_cannot_be_confused_by_separators(warranties: HandlerClient) -> None:
    create(warranties, item_type="a#b", item_sku="c")
    create(warranties, item_type="a", item_sku="b#c")

    assert table_count("items") == 2


@pytest.mark.parametrize("raw_body", [None, "", "{}"])
def test_no_input_is_a_400(warranties: HandlerClient, raw_body: str | None) -> None:
    reply = warranties.post("/warranties", raw_body=raw_body, headers={"Content-Type": "application/json"})

    assert reply.status == 400
    assert reply.json() == {"message": "No input data provided"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"store_uuid": "not a store id"}, "store_uuid"),
        ({"store_uuid": "s" * 65}, "store_uuid"),
        ({"store_uuid": None}, "store_uuid"),
        ({"item_type": ""}, "item_type"),
        ({"item_type": "   "}, "item_type"),
        ({"item_sku": "x" * 101}, "item_sku"),
        ({"item_title": "t" * 201}, "item_title"),
        ({"item_title": 5}, "item_title"),
        ({"item_cost": 0}, "item_cost"),
        ({"item_cost": -3}, "item_cost"),
        ({"item_cost": 10.001}, "item_cost"),
        ({"item_cost": "12.50"}, "item_cost"),
        ({"item_cost": True}, "item_cost"),
        ({"item_cost": 1_000_000.01}, "item_cost"),
    ],
)
def test_invalid_fields_are_a_422_naming_them(
    warranties: HandlerClient, changes: dict[str, Any], field: str
) -> None:
    reply = warranties.post("/warranties", body=sold(**changes))

    assert reply.status == 422
    messages = reply.json()["message"]
    assert [message for message in messages if message.startswith(f"{field}: ")], messages
    assert table_count("warranties") == 0


def test_every_field_is_required(warranties: HandlerClient) -> None:
    reply = warranties.post("/warranties", body={"item_type": "electronics"})

    assert reply.status == 422
    fields = {message.split(":")[0] for message in reply.json()["message"]}
    assert fields == {"store_uuid", "item_sku", "item_cost", "item_title"}


def test_a_body_that_is_too_large_is_a_413(warranties: HandlerClient) -> None:
    reply = warranties.post("/warranties", body=sold(notes="n" * 20_000))

    assert reply.status == 413
    assert "bytes" in reply.json()["message"]
    assert table_count("warranties") == 0


def test_a_replay_with_the_same_idempotency_key_returns_the_first_response(warranties: HandlerClient) -> None:
    headers = {"Idempotency-Key": "order-17"}
    first = warranties.post("/warranties", body=sold(), headers=headers)
    again = warranties.post("/warranties", body=sold(), headers=headers)

    assert first.status == again.status == 201
    assert again.json() == first.json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert table_count("warranties") == 1
    other = warranties.post("/warranties", body=sold(), headers={"Idempotency-Key": "order-18"})
    assert other.json()["id"] != first.json()["id"]


def test_the_same_idempotency_key_with_another_body_is_a_422(warranties: HandlerClient) -> None:
    warranties.post("/warranties", body=sold(), headers={"Idempotency-Key": "k"})

    reply = warranties.post("/warranties", body=sold(item_cost=5), headers={"Idempotency-Key": "k"})

    assert reply.status == 422
    assert reply.json()["message"] == ["Idempotency-Key: already used for a different request"]
    assert table_count("warranties") == 1


@pytest.mark.parametrize("key", ["", "k" * 256, "tab\there", "caf\u00e9"])
def test_a_malformed_idempotency_key_is_a_422(warranties: HandlerClient, key: str) -> None:
    reply = warranties.post("/warranties", body=sold(), headers={"Idempotency-Key": key})

    assert reply.status == 422
    assert reply.json()["message"][0].startswith("Idempotency-Key: ")
    assert table_count("warranties") == 0


def test_idempotency_records_expire(warranties: HandlerClient) -> None:
    warranties.post("/warranties", body=sold(), headers={"Idempotency-Key": "expiring"})

    (record,) = boto3.client("dynamodb").scan(TableName=TABLE_NAMES["idempotency"])["Items"]
    expires_in = int(record["expiration"]["N"]) - time.time()
    assert 86_400 - 60 < expires_in <= 86_400


def test_a_warranty_keeps_its_request_as_received(warranties: HandlerClient) -> None:
    raw = json.dumps({**sold(), "extra": {"kept": True}})
    created = warranties.post(
        "/warranties", raw_body=raw, headers={"Content-Type": "application/json"}
    ).json()

    item = boto3.client("dynamodb").get_item(
        TableName=TABLE_NAMES["warranties"], Key={"id": {"N": str(created["id"])}}
    )["Item"]
    assert item["request"]["S"] == raw
    assert json.loads(item["response"]["S"]) == created


def test_list_pages_through_every_warranty(warranties: HandlerClient) -> None:
    ids = {create(warranties, item_sku=f"sku-{n}")["id"] for n in range(5)}

    seen: set[int] = set()
    page = warranties.get("/warranties?limit=2")
    pages = 1
    while "Link" in page.headers:
        seen |= {warranty["id"] for warranty in page.json()}
        next_url = page.headers["Link"].split(";")[0].strip("<>")
        page = warranties.get(next_url.removeprefix("https://api.example.com"))
        pages += 1
    seen |= {warranty["id"] for warranty in page.json()}
    assert seen == ids
    assert pages == 3


def test_filter_by_store_item_reads_only_that_store_and_item(warranties: HandlerClient) -> None:
    other_store = str(uuid.uuid4())
    mine = {create(warranties)["id"] for _ in range(3)}
    create(warranties, store_uuid=other_store)
    create(warranties, item_sku="TV-65")

    query = f"/warranties?sku=TV-55&item_type=electronics&store_uuid={STORE}&limit=2"
    first = warranties.get(query)
    assert first.status == 200
    assert len(first.json()) == 2
    assert "sku=TV-55" in first.headers["Link"]
    rest = warranties.get(
        first.headers["Link"].split(";")[0].strip("<>").removeprefix("https://api.example.com")
    )
    assert {w["id"] for w in first.json() + rest.json()} == mine
    assert "Link" not in rest.headers


def test_filter_with_no_match_is_an_empty_list(warranties: HandlerClient) -> None:
    reply = warranties.get(f"/warranties?sku=none&item_type=electronics&store_uuid={STORE}")

    assert reply.status == 200
    assert reply.json() == []


@pytest.mark.parametrize(
    ("query", "missing"),
    [
        ("sku=a", "item_type, store_uuid"),
        ("item_type=a&store_uuid=b", "sku"),
        ("store_uuid=b", "sku, item_type"),
    ],
)
def test_a_partial_filter_is_a_400_naming_what_is_missing(
    warranties: HandlerClient, query: str, missing: str
) -> None:
    reply = warranties.get(f"/warranties?{query}")

    assert reply.status == 400
    assert reply.json()["message"].endswith(f"missing: {missing}.")


@pytest.mark.parametrize("path", ["/warranties/999", "/warranties/0", "/warranties/abc", "/warranties/-1"])
def test_an_unknown_warranty_is_a_404(warranties: HandlerClient, path: str) -> None:
    reply = warranties.get(path)

    assert reply.status == 404
    assert reply.json() == {"message": "Not found."}


def test_an_invalid_cursor_is_a_400(warranties: HandlerClient) -> None:
    assert warranties.get("/warranties?cursor=nonsense").status == 400


def test_the_plans_table_is_served(warranties: HandlerClient) -> None:
    reply = warranties.get("/warranty-plans")

    assert reply.status == 200
    plans = {plan["item_type"]: plan for plan in reply.json()}
    assert "general" in plans
    assert plans["electronics"]["bands"][0] == {"up_to": 200.0, "rate_percent": 10.0, "duration_months": 12}
    assert plans["electronics"]["bands"][-1]["up_to"] is None


def test_paths_answer_with_a_trailing_slash(warranties: HandlerClient) -> None:
    created = create(warranties)

    assert warranties.get("/warranties/").status == 200
    assert warranties.get(f"/warranties/{created['id']}/").status == 200
    assert warranties.post("/warranties/", body=sold()).status == 201
