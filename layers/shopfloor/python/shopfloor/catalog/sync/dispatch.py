"""The offers sync's fan-out: every product becomes one message on the offers-sync queue
(the messages: sync/messages.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from aws_lambda_powertools import Logger
from pydantic import BaseModel

from shopfloor.catalog.sync.messages import SQS_BATCH, SyncMessage

logger = Logger(child=True)


SyncTarget = tuple[int, str | None, bool]
"""A product to sync: its id, the UUID it is registered under, and whether it is registered."""


class DispatchResult(BaseModel):
    products: int
    messages_sent: int
    messages_failed: int


class DispatchError(Exception):
    pass


class Dispatcher:
    """Pages through every product and sends one message per product, ten to a request."""

    def __init__(self, targets: Callable[[], Iterable[SyncTarget]], sqs: Any, queue_url: str) -> None:
        self._targets = targets
        self._sqs = sqs
        self._queue_url = queue_url

    def run(self) -> DispatchResult:
        products = sent = failed = 0
        batch: list[SyncMessage] = []
        for product_id, offers_id, registered in self._targets():
            products += 1
            batch.append(SyncMessage(product_id=product_id, offers_id=offers_id, registered=registered))
            if len(batch) == SQS_BATCH:
                ok, bad = self._send(batch)
                sent, failed, batch = sent + ok, failed + bad, []
        if batch:
            ok, bad = self._send(batch)
            sent, failed = sent + ok, failed + bad
        result = DispatchResult(products=products, messages_sent=sent, messages_failed=failed)
        logger.info("Dispatched offers sync", extra=result.model_dump())
        if failed:
            # The schedule retries the invocation; a product synced twice is reconciled twice, harmlessly.
            raise DispatchError(f"{failed} of {products} sync messages could not be sent")
        return result

    def _send(self, messages: list[SyncMessage]) -> tuple[int, int]:
        entries = {str(index): message.model_dump_json() for index, message in enumerate(messages)}
        for _ in range(2):
            response = self._sqs.send_message_batch(
                QueueUrl=self._queue_url,
                Entries=[{"Id": key, "MessageBody": body} for key, body in entries.items()],
            )
            retry = {
                failure["Id"] for failure in response.get("Failed", []) if not failure.get("SenderFault")
            }
            entries = {key: body for key, body in entries.items() if key in retry}
            if not entries:
                break
        return len(messages) - len(entries), len(entries)
