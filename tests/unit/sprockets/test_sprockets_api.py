"""The sprockets routes through the real handler, on moto's DynamoDB."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.handlers import HandlerClient

SPROCKET = {"teeth": 5, "pitch_diameter": 5, "outside_diameter": 6, "pitch": 1}


def create(sprockets: HandlerClient, **fields: Any) -> dict[str, Any]:
    reply = sprockets.post("/v1/sprockets", body={**SPROCKET, **fields})
    assert reply.status == 201, reply.body
    return dict(reply.json())


def test_create_returns_the_sprocket_with_its_location(sprockets: HandlerClient) -> None:
    reply = sprockets.post("/v1/sprockets", body=SPROCKET)

    assert reply.status == 201
    body = reply.json()
    assert body == {"id": body["id"], **SPROCKET}
    assert isinstance(body["id"], int)
    assert body["id"] > 0
    assert reply.headers["Location"] == f"https://api.example.com/v1/sprockets/{body['id']}"


def test_numbers_come_back_as_they_were_sent(sprockets: HandlerClient) -> None:
    sent = {"teeth": 18, "pitch_diameter": 73.14, "outside_diameter": 80, "pitch": 12.7}

    created = create(sprockets, **sent)

    assert sprockets.get(f"/v1/sprockets/{created['id']}").json() == {"id": created["id"], **sent}
    assert '"outside_diameter":80,' in sprockets.get(f"/v1/sprockets/{created['id']}").body


def test_created_sprockets_get_distinct_ids(sprockets: HandlerClient) -> None:
    ids = {create(sprockets, teeth=teeth)["id"] for teeth in range(1, 6)}

    assert len(ids) == 5


def test_create_ignores_unknown_fields_and_an_id_in_the_body(sprockets: HandlerClient) -> None:
    reply = sprockets.post("/v1/sprockets", body={**SPROCKET, "id": 999, "colour": "black"})

    assert reply.status == 201
    assert set(reply.json()) == {"id", *SPROCKET}
    assert reply.json()["id"] != 999


@pytest.mark.parametrize("raw_body", [None, "", "   ", "{}"])
def test_create_without_input_is_400(sprockets: HandlerClient, raw_body: str | None) -> None:
    reply = sprockets.post("/v1/sprockets", raw_body=raw_body)

    assert reply.status == 400
    assert reply.json() == {"message": "No input data provided"}


@pytest.mark.parametrize(
    ("raw_body", "message"),
    [("[1]", "Request body must be a JSON object."), ("{not json", "Request body must be valid JSON.")],
)
def test_create_with_a_body_that_is_not_an_object_is_400(
    sprockets: HandlerClient, raw_body: str, message: str
) -> None:
    reply = sprockets.post("/v1/sprockets", raw_body=raw_body, headers={"Content-Type": "application/json"})

    assert reply.status == 400
    assert reply.json() == {"message": message}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"teeth": None}, "teeth"),
        ({"teeth": 0}, "teeth"),
        ({"teeth": -3}, "teeth"),
        ({"teeth": 5.5}, "teeth"),
        ({"teeth": "5"}, "teeth"),
        ({"teeth": True}, "teeth"),
        ({"pitch_diameter": 0}, "pitch_diameter"),
        ({"pitch_diameter": -1.5}, "pitch_diameter"),
        ({"pitch_diameter": "5"}, "pitch_diameter"),
        ({"pitch": False}, "pitch"),
        ({"pitch": 10_000_000}, "pitch"),
        ({"outside_diameter": 5}, "outside_diameter"),
        ({"outside_diameter": 4.9}, "outside_diameter"),
    ],
)
def test_create_with_invalid_fields_is_422_naming_the_field(
    sprockets: HandlerClient, fields: dict[str, Any], field: str
) -> None:
    reply = sprockets.post("/v1/sprockets", body={**SPROCKET, **fields})

    assert reply.status == 422
    messages = reply.json()["message"]
    assert isinstance(messages, list)
    assert any(message.startswith(f"{field}: ") for message in messages), messages


def test_create_without_a_field_is_422(sprockets: HandlerClient) -> None:
    reply = sprockets.post("/v1/sprockets", body={"teeth": 5, "pitch_diameter": 5, "outside_diameter": 6})

    assert reply.status == 422
    assert reply.json() == {"message": ["pitch: Field required"]}


def test_an_outside_diameter_not_larger_than_the_pitch_diameter_is_422(sprockets: HandlerClient) -> None:
    reply = sprockets.post("/v1/sprockets", body={**SPROCKET, "outside_diameter": 5})

    assert reply.status == 422
    assert reply.json() == {"message": ["outside_diameter: must be larger than pitch_diameter (5)"]}


def test_not_a_number_is_422(sprockets: HandlerClient) -> None:
    raw = '{"teeth": 5, "pitch_diameter": NaN, "outside_diameter": 6, "pitch": 1}'

    reply = sprockets.post("/v1/sprockets", raw_body=raw, headers={"Content-Type": "application/json"})

    assert reply.status == 422
    assert reply.json()["message"][0].startswith("pitch_diameter: ")


def test_get_returns_the_sprocket(sprockets: HandlerClient) -> None:
    sprocket = create(sprockets)

    reply = sprockets.get(f"/v1/sprockets/{sprocket['id']}")

    assert reply.status == 200
    assert reply.json() == sprocket


@pytest.mark.parametrize("sprocket_id", ["999", "0", "-1", "abc", "1.5", "99999999999999999999"])
def test_get_of_a_missing_or_invalid_id_is_404(sprockets: HandlerClient, sprocket_id: str) -> None:
    reply = sprockets.get(f"/v1/sprockets/{sprocket_id}")

    assert reply.status == 404
    assert reply.json() == {"message": "Not found."}


def test_put_replaces_the_whole_sprocket(sprockets: HandlerClient) -> None:
    sprocket = create(sprockets)
    replacement = {"teeth": 7, "pitch_diameter": 8.5, "outside_diameter": 9.25, "pitch": 2}

    reply = sprockets.put(f"/v1/sprockets/{sprocket['id']}", body=replacement)

    assert reply.status == 200
    assert reply.json() == {"id": sprocket["id"], **replacement}
    assert sprockets.get(f"/v1/sprockets/{sprocket['id']}").json() == reply.json()


def test_put_of_a_missing_sprocket_is_404_and_creates_nothing(sprockets: HandlerClient) -> None:
    reply = sprockets.put("/v1/sprockets/4242", body=SPROCKET)

    assert reply.status == 404
    assert reply.json() == {"message": "Not found."}
    assert sprockets.get("/v1/sprockets/4242").status == 404


def test_put_with_invalid_fields_is_422_and_changes_nothing(sprockets: HandlerClient) -> None:
    sprocket = create(sprockets)

    reply = sprockets.put(f"/v1/sprockets/{sprocket['id']}", body={**SPROCKET, "teeth": 0})

    assert reply.status == 422
    assert reply.json() == {"message": ["teeth: Input should be greater than 0"]}
    assert sprockets.get(f"/v1/sprockets/{sprocket['id']}").json() == sprocket


def test_put_without_a_field_is_422(sprockets: HandlerClient) -> None:
    sprocket = create(sprockets)

    reply = sprockets.put(f"/v1/sprockets/{sprocket['id']}", body={"teeth": 3})

    assert reply.status == 422
    assert len(reply.json()["message"]) == 3


def test_put_without_input_is_400(sprockets: HandlerClient) -> None:
    sprocket = create(sprockets)

    reply = sprockets.put(f"/v1/sprockets/{sprocket['id']}", raw_body="")

    assert reply.status == 400
    assert reply.json() == {"message": "No input data provided"}


def test_every_route_answers_with_a_trailing_slash(sprockets: HandlerClient) -> None:
    sprocket = create(sprockets)
    path = f"/v1/sprockets/{sprocket['id']}/"

    assert sprockets.get("/v1/sprockets/").status == 200
    assert sprockets.post("/v1/sprockets/", body=SPROCKET).status == 201
    assert sprockets.get(path).status == 200
    assert sprockets.put(path, body=SPROCKET).status == 200


def test_list_pages_with_link_headers_until_every_sprocket_is_seen(sprockets: HandlerClient) -> None:
    created = {create(sprockets, teeth=teeth)["id"] for teeth in range(1, 8)}
    seen: list[int] = []
    path: str | None = "/v1/sprockets?limit=3"
    pages = 0

    while path:
        reply = sprockets.get(path)
        assert reply.status == 200
        page = reply.json()["sprockets"]
        assert len(page) <= 3
        seen.extend(sprocket["id"] for sprocket in page)
        pages += 1
        link = reply.headers.get("Link")
        path = link.split(">")[0].removeprefix("<https://api.example.com") if link else None

    assert sorted(seen) == sorted(created)
    assert pages == 3


def test_an_empty_list_is_an_empty_array(sprockets: HandlerClient) -> None:
    reply = sprockets.get("/v1/sprockets")

    assert reply.status == 200
    assert reply.json() == {"sprockets": []}
    assert "Link" not in reply.headers


@pytest.mark.parametrize("limit", ["0", "1001", "abc"])
def test_list_with_an_invalid_limit_is_422(sprockets: HandlerClient, limit: str) -> None:
    reply = sprockets.get(f"/v1/sprockets?limit={limit}")

    assert reply.status == 422
    assert reply.json()["message"][0].startswith("limit: ")


def test_list_with_a_cursor_we_did_not_issue_is_400(sprockets: HandlerClient) -> None:
    reply = sprockets.get("/v1/sprockets?cursor=garbage")

    assert reply.status == 400
    assert reply.json() == {"message": "Invalid cursor."}


def test_a_repeated_post_with_the_same_idempotency_key_creates_nothing(sprockets: HandlerClient) -> None:
    key = {"Idempotency-Key": "order-42"}
    first = sprockets.post("/v1/sprockets", body=SPROCKET, headers=key)

    again = sprockets.post("/v1/sprockets", body=SPROCKET, headers=key)

    assert first.status == again.status == 201
    assert again.json() == first.json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert sprockets.get("/v1/sprockets").json() == {"sprockets": [first.json()]}


def test_a_replay_answers_the_first_response_even_after_a_put(sprockets: HandlerClient) -> None:
    key = {"Idempotency-Key": "order-42"}
    first = sprockets.post("/v1/sprockets", body=SPROCKET, headers=key).json()
    sprockets.put(f"/v1/sprockets/{first['id']}", body={**SPROCKET, "teeth": 9})

    again = sprockets.post("/v1/sprockets", body=SPROCKET, headers=key)

    assert again.json() == first


def test_the_same_idempotency_key_with_another_body_is_422(sprockets: HandlerClient) -> None:
    sprockets.post("/v1/sprockets", body=SPROCKET, headers={"Idempotency-Key": "k"})

    reply = sprockets.post("/v1/sprockets", body={**SPROCKET, "teeth": 6}, headers={"Idempotency-Key": "k"})

    assert reply.status == 422
    assert reply.json() == {"message": ["Idempotency-Key: already used for a different request"]}
    assert len(sprockets.get("/v1/sprockets").json()["sprockets"]) == 1


def test_different_idempotency_keys_create_different_sprockets(sprockets: HandlerClient) -> None:
    first = sprockets.post("/v1/sprockets", body=SPROCKET, headers={"Idempotency-Key": "a"})
    second = sprockets.post("/v1/sprockets", body=SPROCKET, headers={"Idempotency-Key": "b"})

    assert first.json()["id"] != second.json()["id"]


@pytest.mark.parametrize("key", ["", "k" * 256, "caf\u00e9"])
def test_an_empty_overlong_or_unprintable_idempotency_key_is_422(sprockets: HandlerClient, key: str) -> None:
    reply = sprockets.post("/v1/sprockets", body=SPROCKET, headers={"Idempotency-Key": key})

    assert reply.status == 422
    assert reply.json()["message"][0].startswith("Idempotency-Key: ")


def test_a_post_whose_transaction_keeps_conflicting_is_503_to_retry(
    sprockets: HandlerClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shopfloor.platform.tables import TransactionConflictError

    def conflicting(*_: Any) -> None:
        raise TransactionConflictError()

    monkeypatch.setattr("shopfloor.sprockets.dynamodb.transact", conflicting)

    reply = sprockets.post("/v1/sprockets", body=SPROCKET, headers={"Idempotency-Key": "busy"})

    assert reply.status == 503
    assert reply.headers["Retry-After"] == "1"
    assert reply.json() == {"message": "Too many concurrent requests for the same resource; retry."}
