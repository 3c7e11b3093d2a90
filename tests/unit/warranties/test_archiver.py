"""The archiver writes each new warranty's request and response to S3, from stream records."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from shopfloor.platform.batch import StreamBatchFailedError
from tests.helpers.events import stream_event
from tests.helpers.handlers import HandlerClient, load_handler
from tests.helpers.lambda_context import FakeLambdaContext
from tests.unit.conftest import ARCHIVE_BUCKET, TABLE_NAMES

STORE = "5b0c1f9e-8d2a-4c3e-9f1a-2b7d6e4c8a10"
REQUEST = {
    "store_uuid": STORE,
    "item_type": "appliances",
    "item_sku": "FRIDGE-1",
    "item_cost": 799.5,
    "item_title": "Fridge",
}


def new_warranty_image(raw_request: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A warranty created through the API, and its item as the stream carries it (NEW_IMAGE)."""
    warranties = HandlerClient(load_handler("warranties"))
    reply = warranties.post("/warranties", raw_body=raw_request, headers={"Content-Type": "application/json"})
    assert reply.status == 201
    created = reply.json()
    image = boto3.client("dynamodb").get_item(
        TableName=TABLE_NAMES["warranties"], Key={"id": {"N": str(created["id"])}}
    )["Item"]
    return created, image


def archived(key: str) -> dict[str, Any]:
    body = boto3.client("s3").get_object(Bucket=ARCHIVE_BUCKET, Key=key)["Body"].read()
    return dict(json.loads(body))


def test_each_warranty_is_archived_with_its_request_and_response_under_a_date_partition() -> None:
    raw = json.dumps({**REQUEST, "note": "kept as received"})
    created, image = new_warranty_image(raw)
    archiver = load_handler("warranty_archiver")

    result = archiver.lambda_handler(stream_event([image]), FakeLambdaContext())

    assert result == {"batchItemFailures": []}
    key = f"warranties/date={created['created_at'][:10]}/{created['id']}.json"
    assert archived(key) == {"payload": json.loads(raw), "response": created}


def test_a_record_delivered_again_overwrites_the_same_object() -> None:
    created, image = new_warranty_image(json.dumps(REQUEST))
    archiver = load_handler("warranty_archiver")

    archiver.lambda_handler(stream_event([image]), FakeLambdaContext())
    archiver.lambda_handler(stream_event([image]), FakeLambdaContext())

    keys = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=ARCHIVE_BUCKET)["Contents"]]
    assert keys == [f"warranties/date={created['created_at'][:10]}/{created['id']}.json"]


def test_records_that_fail_are_reported_by_sequence_number_and_the_others_archived() -> None:
    _, good = new_warranty_image(json.dumps(REQUEST))
    broken = {**good, "id": {"N": "777"}}
    del broken["response"]
    archiver = load_handler("warranty_archiver")

    result = archiver.lambda_handler(stream_event([broken, good], first_sequence=500), FakeLambdaContext())

    assert result == {"batchItemFailures": [{"itemIdentifier": "500"}]}
    assert boto3.client("s3").list_objects_v2(Bucket=ARCHIVE_BUCKET)["KeyCount"] == 1


def test_when_s3_fails_for_the_whole_batch_the_function_fails_so_lambda_bisects_and_retries() -> None:
    _, image = new_warranty_image(json.dumps(REQUEST))
    boto3.client("s3").delete_bucket(Bucket=ARCHIVE_BUCKET)
    archiver = load_handler("warranty_archiver")

    with pytest.raises(StreamBatchFailedError, match="All records failed"):
        archiver.lambda_handler(stream_event([image, image], first_sequence=7), FakeLambdaContext())


@pytest.mark.parametrize("payload", ["not json at all"])
def test_a_request_that_was_not_json_is_archived_as_text(payload: str) -> None:
    from shopfloor.warranties.archiver import archive_document

    key, body = archive_document(
        {"id": 5, "created_at": "2026-11-22T10:00:00Z", "request": payload, "response": "{}"}
    )

    assert key == "warranties/date=2026-11-22/5.json"
    assert json.loads(body) == {"payload": payload, "response": {}}
