from __future__ import annotations

import email
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from typing import Any

import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import RawMessage, ses_backends

from tests.helpers.events import sqs_event, stream_event
from tests.helpers.handlers import load_handler
from tests.helpers.lambda_context import FakeLambdaContext
from tests.unit.conftest import SENDER, fixture_client
from tests.unit.shop.conftest import order_image
from tests.unit.shop.orders.conftest import _fresh_service, clock, orders, shop  # noqa: F401  (fixtures)

# Enough time left for every e-mail of a batch (the notifier's timeout is 30 s).
CONTEXT = FakeLambdaContext(remaining_ms=30_000)


@dataclass(frozen=True)
class Sent:
    to: str
    subject: str
    body: str
    message: Message


def sent_mail() -> list[Sent]:
    """What moto's SES recorded, oldest first."""
    found = []
    for recorded in ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages:
        assert isinstance(recorded, RawMessage)
        message = email.message_from_string(recorded.raw_data)
        payload = message.get_payload(decode=True)
        assert isinstance(payload, bytes)
        found.append(Sent(str(message["To"]), str(message["Subject"]), payload.decode(), message))
    return found


@pytest.fixture
def ses() -> None:
    """The sender verified in moto's SES."""
    fixture_client("sesv2").create_email_identity(EmailIdentity=SENDER)


@pytest.fixture
def notify(ses: None) -> Callable[..., dict[str, Any]]:
    """The notifier's handler, given event bodies as the rule's queue delivers them."""
    handler = load_handler("notifier")

    def run(*bodies: str, context: FakeLambdaContext = CONTEXT) -> dict[str, Any]:
        result: dict[str, Any] = handler.lambda_handler(sqs_event(*bodies, queue="order-emails"), context)
        return result

    return run


@pytest.fixture
def published(bus: Callable[[], list[dict[str, Any]]]) -> Callable[[list[int]], list[dict[str, Any]]]:
    """The events order-events puts on the bus for the current state of some orders, as the rule's
    queue delivers them (EventBridge's envelope)."""
    publisher = load_handler("order_events")

    def publish(order_ids: list[int]) -> list[dict[str, Any]]:
        images = [order_image(order_id) for order_id in order_ids]
        names = ["INSERT" if len(image["events"]["L"]) == 1 else "MODIFY" for image in images]
        result = publisher.lambda_handler(stream_event(images, table="orders", event_names=names), CONTEXT)
        assert result == {"batchItemFailures": []}
        return bus()

    return publish
