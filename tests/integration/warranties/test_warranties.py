"""Warranties as clients see them, through the local cloud: under concurrent load, and archived."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest
import requests

from infra.dynamodb import local_table_names
from infra.local import resources
from infra.topology import FUNCTIONS, WARRANTY_ARCHIVE
from tests.integration.catalog.offers_harness import wait_until
from tests.integration.cloud import LocalCloud, stream_records

pytestmark = pytest.mark.integration

BUCKET = resources.bucket_name(WARRANTY_ARCHIVE)
TABLES = local_table_names()
STORES, ITEMS, REQUESTS = 50, 20, 200
ARCHIVE_SECONDS = 60
ARCHIVER = next(function for function in FUNCTIONS if function.name == "warranty-archiver")
assert ARCHIVER.streams_from is not None
RETRY_ATTEMPTS = ARCHIVER.streams_from.retry_attempts


def archive_key(warranty: dict[str, Any]) -> str:
    return f"warranties/date={warranty['created_at'][:10]}/{warranty['id']}.json"


def archived(s3: Any, key: str) -> dict[str, Any] | None:
    try:
        return dict(json.loads(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()))
    except s3.exceptions.NoSuchKey:
        return None


def scan_all(dynamodb: Any, table: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=table):
        items += page["Items"]
    return items


def test_200_concurrent_posts_from_50_stores_over_20_items(cloud: LocalCloud, base_url: str) -> None:
    run = uuid.uuid4().hex[:8]
    stores = [str(uuid.uuid4()) for _ in range(STORES)]
    items = [(f"type-{run}-{n % 4}", f"SKU-{run}-{n}") for n in range(ITEMS)]
    bodies = [
        {
            "store_uuid": stores[n % STORES],
            "item_type": items[n % ITEMS][0],
            "item_sku": items[n % ITEMS][1],
            "item_cost": round(10 + n * 1.37, 2),
            "item_title": f"Item {n}",
        }
        for n in range(REQUESTS)
    ]

    def post(body: dict[str, Any]) -> requests.Response:
        return requests.post(f"{base_url}/warranties", json=body, timeout=60)

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        responses = list(pool.map(post, bodies))

    assert [response.status_code for response in responses] == [201] * REQUESTS, {
        response.status_code: response.text for response in responses if response.status_code != 201
    }
    created = [response.json() for response in responses]
    assert len({warranty["id"] for warranty in created}) == REQUESTS
    for body, warranty in zip(bodies, created, strict=True):
        assert warranty["store"]["uuid"] == body["store_uuid"]
        assert warranty["item"] == {
            "type": body["item_type"],
            "sku": body["item_sku"],
            "cost": body["item_cost"],
            "title": body["item_title"],
        }
    # One creation time per store, however many requests raced to create it.
    by_store: dict[str, set[str]] = {}
    for warranty in created:
        by_store.setdefault(warranty["store"]["uuid"], set()).add(warranty["store"]["created_at"])
    assert all(len(times) == 1 for times in by_store.values())

    dynamodb = resources.local_client("dynamodb", cloud.dynamodb_url)
    stored_stores = [s for s in scan_all(dynamodb, TABLES["stores"]) if s["store_uuid"]["S"] in set(stores)]
    stored_items = [i for i in scan_all(dynamodb, TABLES["items"]) if run in i["item_key"]["S"]]
    stored_warranties = [w for w in scan_all(dynamodb, TABLES["warranties"]) if run in w["item_type"]["S"]]
    assert len(stored_stores) == STORES
    assert len(stored_items) == ITEMS
    assert len(stored_warranties) == REQUESTS

    s3 = resources.local_client("s3", cloud.moto_url)
    for body, warranty in zip(bodies, created, strict=True):
        key = archive_key(warranty)
        document = wait_until(partial(archived, s3, key), f"{key} archived", ARCHIVE_SECONDS)
        assert document == {"payload": body, "response": warranty}


def test_when_s3_is_unavailable_the_record_is_retried_then_sent_to_the_dlq(
    cloud: LocalCloud, http: requests.Session, base_url: str
) -> None:
    s3, sqs = resources.local_client("s3", cloud.moto_url), resources.local_client("sqs", cloud.moto_url)
    failures = f"{cloud.moto_url}/{resources.ACCOUNT_ID}/{resources.stream_failures_name(ARCHIVER)}"
    # Records are delivered in order: once this one is archived, every earlier one is too.
    sentinel = http.post(f"{base_url}/warranties", json=_sold("SENTINEL")).json()
    wait_until(partial(archived, s3, archive_key(sentinel)), "the stream drained", ARCHIVE_SECONDS)
    _empty_and_delete(s3)
    try:
        warranty = http.post(f"{base_url}/warranties", json=_sold("KITE")).json()
        sequence = int(_sequence_number_of(cloud, warranty["id"]))

        def covering_failure() -> dict[str, Any] | None:
            for message in sqs.receive_message(QueueUrl=failures, WaitTimeSeconds=1).get("Messages", []):
                sqs.delete_message(QueueUrl=failures, ReceiptHandle=message["ReceiptHandle"])
                info: dict[str, Any] = json.loads(message["Body"])
                batch = info["DDBStreamBatchInfo"]
                if int(batch["startSequenceNumber"]) <= sequence <= int(batch["endSequenceNumber"]):
                    return info
            return None

        info = wait_until(covering_failure, "the failed record in the on-failure queue", ARCHIVE_SECONDS)
    finally:
        resources.create_bucket(s3, BUCKET)
    assert info["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert info["requestContext"]["approximateInvokeCount"] == RETRY_ATTEMPTS + 1
    assert f":table/{TABLES['warranties']}/stream/" in info["DDBStreamBatchInfo"]["streamArn"]
    assert archived(s3, archive_key(warranty)) is None


def _sold(sku: str) -> dict[str, Any]:
    return {
        "store_uuid": str(uuid.uuid4()),
        "item_type": "toys",
        "item_sku": sku,
        "item_cost": 12,
        "item_title": "Toy",
    }


def _empty_and_delete(s3: Any) -> None:
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=BUCKET):
        versions = page.get("Versions", []) + page.get("DeleteMarkers", [])
        if versions:
            s3.delete_objects(
                Bucket=BUCKET,
                Delete={"Objects": [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in versions]},
            )
    s3.delete_bucket(Bucket=BUCKET)


def _sequence_number_of(cloud: LocalCloud, warranty_id: int) -> str:
    """The stream sequence number of the warranty's INSERT, read from DynamoDB Local's stream."""
    records = stream_records(cloud, "warranties", warranty_id)
    if not records:
        pytest.fail(f"warranty {warranty_id} is not in the stream")
    return str(records[0]["dynamodb"]["SequenceNumber"])
