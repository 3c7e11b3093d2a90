"""Publishing a stream batch of order changes as events on the bus, in order, ten per PutEvents.

- Each record's event is its order's last timeline step (events.event_of_image); a record that is
  not an order with a timeline fails on its own.
- Entries go out in the records' order, in PutEvents calls of up to ten (the API's limit). Entries
  PutEvents reports as failed (throttled, an internal error) are put again, up to `attempts` times
  in all; a call that fails as a whole (after botocore's own retries) counts as every entry failed.
- Once an entry is given up on, no later call is made in this invocation: the partial batch
  response lists its record and every later one, and Lambda retries from there (platform/batch.py).
  Events already put after it are put again then: subscribers see an event at least once and tell
  repeats by `order_id` and `step`. (EventBridge keeps no order between entries, nor between calls
  a moment apart: a subscriber that cares orders an order's events by `step`.)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, Final

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import BotoCoreError, ClientError

from shopfloor.platform.batch import BatchResponse, Record, StreamBatchFailedError, image_values
from shopfloor.platform.observability import metrics
from shopfloor.shop.order_events.events import OrderEvent, event_of_image

logger = Logger(child=True)

MAX_ENTRIES: Final = 10  # PutEvents takes at most ten entries per call
# Business metrics (namespace Shopfloor, dimension service=order-events), one value per batch.
EVENTS_PUBLISHED: Final = "OrderEventsPublished"
RECORDS_FAILED: Final = "OrderEventRecordsFailed"


class OrderEventPublisher:
    def __init__(
        self,
        events: Any,
        bus_name: str,
        *,
        attempts: int = 3,
        backoff_seconds: float = 0.1,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._events = events
        self._bus_name = bus_name
        self._attempts = attempts
        self._backoff_seconds = backoff_seconds
        self._sleep = sleep

    def handle(self, event: dict[str, Any]) -> BatchResponse:
        records: list[Record] = event.get("Records") or []
        failed: set[int] = set()
        ready: list[tuple[int, OrderEvent]] = []
        for position, record in enumerate(records):
            try:
                ready.append((position, event_of_image(image_values(record))))
            except (ValueError, KeyError, TypeError) as error:
                logger.warning(
                    "Not an order change",
                    extra={"sequence_number": _sequence(record), "error": repr(error)},
                )
                failed.add(position)
        published, given_up_from = self._publish(ready)
        if given_up_from is not None:
            failed.update(range(given_up_from, len(records)))
        metrics.add_metric(name=EVENTS_PUBLISHED, unit=MetricUnit.Count, value=published)
        metrics.add_metric(name=RECORDS_FAILED, unit=MetricUnit.Count, value=len(failed))
        if records and len(failed) == len(records):
            raise StreamBatchFailedError(f"No event of the {len(records)} records was published")
        return {"batchItemFailures": [{"itemIdentifier": _sequence(records[n])} for n in sorted(failed)]}

    def _publish(self, ready: Sequence[tuple[int, OrderEvent]]) -> tuple[int, int | None]:
        """How many events were put, and the position of the first record given up on (None: none)."""
        published = 0
        for start in range(0, len(ready), MAX_ENTRIES):
            chunk = ready[start : start + MAX_ENTRIES]
            left = self._put(chunk)
            published += len(chunk) - len(left)
            if left:
                return published, min(position for position, _ in left)
        return published, None

    def _put(self, chunk: Sequence[tuple[int, OrderEvent]]) -> list[tuple[int, OrderEvent]]:
        """Puts the chunk's events, again and again for those that fail; those still failing."""
        pending = list(chunk)
        for attempt in range(self._attempts):
            if attempt:
                self._sleep(self._backoff_seconds * 2 ** (attempt - 1))
            try:
                response = self._events.put_events(
                    Entries=[order_event.entry(self._bus_name) for _, order_event in pending]
                )
            except (BotoCoreError, ClientError) as error:
                logger.warning("PutEvents failed", extra={"entries": len(pending), "error": repr(error)})
                continue
            results = response.get("Entries") or []
            if len(results) != len(pending):  # never from EventBridge: then nothing is known to be put
                logger.warning("PutEvents answered %d entries for %d", len(results), len(pending))
                continue
            failures = [
                (sent, result)
                for sent, result in zip(pending, results, strict=True)
                if result.get("ErrorCode")
            ]
            for (_, order_event), result in failures:
                logger.warning(
                    "Event not put",
                    extra={
                        "order_id": order_event.detail.order_id,
                        "step": order_event.detail.step,
                        "error_code": result.get("ErrorCode"),
                        "error_message": result.get("ErrorMessage"),
                    },
                )
            pending = [sent for sent, _ in failures]
            if not pending:
                return []
        return pending


def _sequence(record: Record) -> str:
    return str(record["dynamodb"]["SequenceNumber"])
