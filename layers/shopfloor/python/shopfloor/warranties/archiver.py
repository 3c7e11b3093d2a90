"""The warranty archive: one S3 object per warranty, its request as received and the response sent.

Keys are `warranties/date=<YYYY-MM-DD>/<id>.json` (the warranty's UTC creation date, a partition
that Athena or Glue read as a column). A record delivered again overwrites the same key with the
same body, so re-delivery is harmless; the bucket is versioned besides.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit

from shopfloor.platform.batch import BatchResponse, Record, StreamBatchFailedError, handle_stream, new_image
from shopfloor.platform.observability import metrics
from shopfloor.warranties.service import request_payload

logger = Logger(child=True)

PREFIX = "warranties"
# Business metric (namespace Shopfloor, dimension service=warranty-archiver): the records of each
# batch that failed to archive (0 when none did). A record retried and failing again counts again.
ARCHIVE_FAILURES = "ArchiveFailures"


def archive_key(warranty_id: int, created_at: str) -> str:
    return f"{PREFIX}/date={created_at[:10]}/{warranty_id}.json"


def archive_document(image: Mapping[str, Any]) -> tuple[str, bytes]:
    """The key and the JSON body of a warranty item's archive object."""
    key = archive_key(int(image["id"]), str(image["created_at"]))
    document = {
        "payload": request_payload(str(image["request"])),
        "response": json.loads(str(image["response"])),
    }
    return key, json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


class Archiver:
    """Writes each new warranty of a stream batch to S3 (platform/batch.py: the partial batch
    response, retries from the first failure, and bisecting)."""

    def __init__(self, s3: Any, bucket: str) -> None:
        self._s3 = s3
        self._bucket = bucket

    def handle(self, event: dict[str, Any]) -> BatchResponse:
        records = event.get("Records") or []
        try:
            response = handle_stream(records, self._archive)
        except StreamBatchFailedError:
            _count_failures(len(records))
            raise
        _count_failures(len(response["batchItemFailures"]))
        return response

    def _archive(self, record: Record) -> None:
        image = new_image(record)
        if not image:
            raise ValueError(f"record {record.get('eventID')} has no new image")
        key, body = archive_document(image)
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=body, ContentType="application/json")
        logger.debug("Archived", extra={"key": key})


def _count_failures(failed: int) -> None:
    """Published when the handler returns or raises (Powertools' log_metrics flushes either way)."""
    metrics.add_metric(name=ARCHIVE_FAILURES, unit=MetricUnit.Count, value=failed)
