"""The notifier: consumes the order events the bus's rule queues, and e-mails about each.

Each SQS message is one EventBridge event. Its e-mails (emails_for) are sent one by one, each
claimed first in the sent-emails table (sent_emails.py), so that a repeat of the event sends
nothing again. A message fails, to be retried by the queue and after its receives to wait in the
dead-letter queue, when it is not an order event of the shop, or when an e-mail could not be sent
(its claim released first). A message whose e-mails were all sent, now or before, succeeds.

A customer's e-mails about one order go out in the order of its timeline (sent_emails.py): the
events of one batch are handled by order and step, and an e-mail whose step before has not been
claimed waits for it a few seconds (it may be in a batch handled at the same moment), then fails to
be retried. Before each e-mail the remaining time is checked: an invocation never times out half
way through an e-mail (which would leave it claimed and unsent); the messages it had no time for
are retried.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final, Literal, Protocol

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import BaseModel, ConfigDict, Field

from shopfloor.platform.batch import BatchResponse, Record, queue_response
from shopfloor.platform.observability import metrics
from shopfloor.shop.notifier.messages import Email, emails_for
from shopfloor.shop.notifier.sent_emails import NotYetError, SentEmails, keys
from shopfloor.shop.order_events.events import DetailType, OrderEvent, OrderEventDetail

logger = Logger(child=True)

# Business metrics (namespace Shopfloor, dimension service=notifier), one value per batch.
EMAILS_SENT: Final = "EmailsSent"
EMAILS_FAILED: Final = "EmailsFailed"


class Mailer(Protocol):
    """What sends an e-mail (ses.SesMailer); answers the provider's message id."""

    def send(self, email: Email) -> str: ...


class OutOfTimeError(Exception):
    """Too little time left in the invocation to send an e-mail: the message is retried."""


class OutOfOrderError(Exception):
    """The e-mail about the step before has not been claimed in time: the message is retried."""


class _Envelope(BaseModel):
    """An EventBridge event as a rule's SQS target receives it."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    id: str
    source: Literal["shopfloor.shop"]  # events.SOURCE
    detail_type: DetailType = Field(alias="detail-type")
    detail: OrderEventDetail


def order_event(body: str) -> tuple[str, OrderEvent]:
    """The EventBridge event id and the order event of a message body; ValueError when it is not one."""
    envelope = _Envelope.model_validate_json(body)
    return envelope.id, OrderEvent(detail_type=envelope.detail_type, detail=envelope.detail)


class Notifier:
    def __init__(
        self,
        sent: SentEmails,
        mailer: Mailer,
        shop_address: str,
        clock: Callable[[], datetime],
        *,
        time_per_email_ms: int,
        order_wait_ms: int = 250,
        order_waits: int = 12,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._sent = sent
        self._mailer = mailer
        self._shop_address = shop_address
        self._clock = clock
        self._time_per_email_ms = time_per_email_ms
        self._order_wait_ms = order_wait_ms
        self._order_waits = order_waits
        self._sleep = sleep

    def handle(self, event: dict[str, Any], remaining_ms: Callable[[], int]) -> BatchResponse:
        """The SQS partial batch response (platform/batch.py): only the messages listed are retried."""
        records: list[Record] = event.get("Records") or []
        outcomes: list[object] = [None] * len(records)
        events: list[tuple[int, OrderEvent]] = []
        for position, record in enumerate(records):
            try:
                event_id, parsed = order_event(record["body"])
            except ValueError as error:  # pydantic's ValidationError is one
                logger.error(
                    "Not an order event", extra={"message_id": record.get("messageId"), "error": str(error)}
                )
                outcomes[position] = error
                continue
            logger.debug("Order event", extra={"event_id": event_id, "message_id": record.get("messageId")})
            events.append((position, parsed))
        events.sort(key=lambda item: (item[1].detail.order_id, item[1].detail.step))
        sent = failed = 0
        for position, order_event_ in events:
            try:
                sent += self.notify(order_event_, remaining_ms)
            except Exception as error:
                failed += 1
                outcomes[position] = error
        metrics.add_metric(name=EMAILS_SENT, unit=MetricUnit.Count, value=sent)
        metrics.add_metric(name=EMAILS_FAILED, unit=MetricUnit.Count, value=failed)
        return queue_response(records, outcomes)

    def notify(self, event: OrderEvent, remaining_ms: Callable[[], int] = lambda: 2**31) -> int:
        """Sends the event's e-mails not sent before; how many it sent. Raises when one fails."""
        sent = 0
        for email in emails_for(event, self._shop_address):
            key, after = keys(event.detail, email.to)
            token = self._claim(key, email, after, remaining_ms)
            if token is None:
                logger.info("E-mail sent before", extra={"key": key})
                continue
            try:
                message_id = self._mailer.send(email)
            except Exception as error:
                logger.warning("E-mail not sent", extra={"key": key, "error": repr(error)})
                self._release(key, token)
                raise
            logger.info("E-mail sent", extra={"key": key, "ses_message_id": message_id})
            sent += 1
        return sent

    def _claim(
        self, key: str, email: Email, after: str | None, remaining_ms: Callable[[], int]
    ) -> str | None:
        """The claim's token (None: sent before), once the e-mail before it is claimed: that one's
        event may be in a batch being handled at this moment, so it is waited for a little."""
        for attempt in range(self._order_waits + 1):
            if remaining_ms() < self._time_per_email_ms + self._order_wait_ms:
                raise OutOfTimeError(f"{remaining_ms()} ms left, {self._time_per_email_ms} ms per e-mail")
            try:
                return self._sent.claim(key, email, self._clock(), after)
            except NotYetError:
                if attempt == self._order_waits:
                    break
                self._sleep(self._order_wait_ms / 1000)
        raise OutOfOrderError(f"{after} is not claimed: {key} waits for it")

    def _release(self, key: str, token: str) -> None:
        try:
            self._sent.release(key, token)
        except Exception:
            # The claim stays: a retry would take the e-mail for sent. Said loudly, with the key.
            logger.exception("E-mail claim not released: it will not be sent", extra={"key": key})
