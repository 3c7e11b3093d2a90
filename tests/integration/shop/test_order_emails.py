"""Order events and their e-mails, as a customer, a manager and an operator see them in the local
cloud: orders placed and moved over HTTP, the e-mails moto's SES recorded (`make mail`), the bus's
events in a queue of the test's own (a second subscriber, as the README shows), the dead-letter
queue."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests

from infra.local import resources
from infra.local.mail import Mail, sent_mail
from infra.local.settings import LocalSettings
from infra.topology import ORDER_EMAILS, SHOP_EMAIL, SHOP_MAIL, SHOPFLOOR_BUS
from tests.helpers.handlers import load_handler
from tests.helpers.lambda_context import FakeLambdaContext
from tests.integration.catalog.offers_harness import wait_until
from tests.integration.cloud import LocalCloud, cloud_environment, stream_records
from tests.integration.shop.conftest import MenuProduct, User, new_customer

pytestmark = pytest.mark.integration

MAIL_SECONDS = 30
SHOP_ADDRESS = SHOP_EMAIL.local_value
QUEUE = resources.queue_name(ORDER_EMAILS)
DEAD_LETTERS = resources.dlq_name(ORDER_EMAILS)


Drinks = tuple[MenuProduct, MenuProduct]


@pytest.fixture
def drinks(add_product: Callable[..., MenuProduct]) -> Drinks:
    """A latte with a vanilla variation, and a tea."""
    latte = add_product(price=4.10, variations={"Vanilla": 0.55}, name="Latte")
    return latte, add_product(price=2.5, name="Tea")


def place(base_url: str, customer: User, drinks: Drinks) -> dict[str, Any]:
    latte, tea = drinks
    body = {
        "location": "take_away",
        "lines": [
            {"product_id": latte.id, "variation_id": latte.variation_ids["Vanilla"], "quantity": 2},
            {"product_id": tea.id, "quantity": 1},
        ],
    }
    response = requests.post(f"{base_url}/orders", json=body, headers=customer.headers, timeout=30)
    assert response.status_code == 201, response.text
    return dict(response.json())


def move(base_url: str, manager: User, order_id: int, status: str) -> None:
    response = requests.patch(
        f"{base_url}/orders/{order_id}/status", json={"status": status}, headers=manager.headers, timeout=30
    )
    assert response.status_code == 200, response.text


def mail_to(cloud: LocalCloud, address: str) -> list[Mail]:
    return [mail for mail in sent_mail(cloud.moto_url) if address in mail.to]


def about(order_id: int, mails: list[Mail]) -> list[Mail]:
    return [mail for mail in mails if f"rder {order_id}" in mail.subject]


def wait_for_mail(cloud: LocalCloud, address: str, order_id: int, count: int) -> list[Mail]:
    """The e-mails about the order to the address, once there are `count` of them."""

    def arrived() -> list[Mail] | None:
        mails = about(order_id, mail_to(cloud, address))
        return mails if len(mails) >= count else None

    return wait_until(arrived, f"{count} e-mail(s) about order {order_id} to {address}", MAIL_SECONDS)


def settled(cloud: LocalCloud) -> None:
    """Waits until the notifier's queue has nothing waiting or in flight."""
    sqs = resources.local_client("sqs", cloud.moto_url)
    url = resources.queue_url(_settings(cloud), QUEUE)
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]

    def empty() -> bool:
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
        return all(attributes[name] == "0" for name in names)

    wait_until(empty, f"{QUEUE} drained", MAIL_SECONDS)


def _settings(cloud: LocalCloud) -> LocalSettings:
    return LocalSettings.from_environ(cloud_environment(cloud.ports, cloud.data_dir))


def test_an_order_moved_to_delivered_mails_the_customer_once_per_event_in_order_and_the_shop_once(
    cloud: LocalCloud, base_url: str, manager: User, drinks: Drinks
) -> None:
    latte, tea = drinks
    customer = new_customer(base_url)
    order = place(base_url, customer, drinks)
    number = order["id"]
    # Moved along at once, faster than any barista: the events come close together, in one batch
    # or several handled at the same time, and the e-mails still go out in the timeline's order.
    for status in ("preparation", "ready", "delivered"):
        move(base_url, manager, number, status)
    wait_for_mail(cloud, customer.email, number, 4)
    settled(cloud)

    to_customer = about(number, mail_to(cloud, customer.email))
    assert [mail.subject for mail in to_customer] == [
        f"Order {number} placed: waiting",
        f"Order {number} is now in preparation",
        f"Order {number} is now ready",
        f"Order {number} is now delivered",
    ]
    times = [mail.time for mail in to_customer]
    assert None not in times
    assert times == sorted(times)  # type: ignore[type-var]
    for mail in to_customer:
        assert mail.sender == SHOP_MAIL.local_address
        rows = [row.split() for row in mail.body.splitlines()]
        assert ["2", "x", *f"{latte.name} (Vanilla)".split(), "at", "4.65", "9.30"] in rows
        assert ["1", "x", *tea.name.split(), "at", "2.50", "2.50"] in rows
        assert ["Total", "11.80"] in rows
    to_shop = about(number, mail_to(cloud, SHOP_ADDRESS))
    assert [mail.subject for mail in to_shop] == [f"New order {number}: 3 items, 11.80"]

    # `make mail ARGS="--to <address>"` lists the same e-mails, oldest first.
    listed = subprocess.run(
        [sys.executable, "-m", "infra.local.mail", "--to", customer.email],
        env=cloud_environment(cloud.ports, cloud.data_dir),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    subjects = [mail.subject for mail in to_customer]
    positions = [listed.find(subject) for subject in subjects]
    assert -1 not in positions, listed
    assert positions == sorted(positions)
    assert SHOP_ADDRESS not in listed


def test_a_cancel_mails_the_customer_once(cloud: LocalCloud, base_url: str, drinks: Drinks) -> None:
    customer = new_customer(base_url)
    order = place(base_url, customer, drinks)
    wait_for_mail(cloud, customer.email, order["id"], 1)

    cancelled = requests.post(f"{base_url}/orders/{order['id']}/cancel", headers=customer.headers, timeout=30)
    assert cancelled.status_code == 200, cancelled.text

    wait_for_mail(cloud, customer.email, order["id"], 2)
    settled(cloud)
    mails = about(order["id"], mail_to(cloud, customer.email))
    assert [mail.subject for mail in mails] == [
        f"Order {order['id']} placed: waiting",
        f"Order {order['id']} is cancelled",
    ]


@contextmanager
def second_subscriber(cloud: LocalCloud) -> Iterator[Callable[[int], list[dict[str, Any]]]]:
    """Another rule on the bus, to a queue of its own (as an analytics service would subscribe):
    gives the events about an order it received so far."""
    events = resources.local_client("events", cloud.moto_url)
    sqs = resources.local_client("sqs", cloud.moto_url)
    url = sqs.create_queue(QueueName="test-analytics")["QueueUrl"]
    rule = SHOPFLOOR_BUS.rules[0]
    events.put_rule(
        Name="test-analytics", EventBusName=SHOPFLOOR_BUS.name, EventPattern=json.dumps(rule.event_pattern)
    )
    events.put_targets(
        Rule="test-analytics",
        EventBusName=SHOPFLOOR_BUS.name,
        Targets=[{"Id": "analytics", "Arn": resources.queue_arn("test-analytics")}],
    )
    received: list[dict[str, Any]] = []

    def about_order(order_id: int) -> list[dict[str, Any]]:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        ):
            received.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return [event for event in received if event["detail"]["order_id"] == order_id]

    try:
        yield about_order
    finally:
        events.remove_targets(Rule="test-analytics", EventBusName=SHOPFLOOR_BUS.name, Ids=["analytics"])
        events.delete_rule(Name="test-analytics", EventBusName=SHOPFLOOR_BUS.name)
        sqs.delete_queue(QueueUrl=url)


def test_a_redelivered_stream_batch_or_queue_message_mails_nothing_again(
    cloud: LocalCloud,
    base_url: str,
    manager: User,
    drinks: Drinks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    customer = new_customer(base_url)
    with second_subscriber(cloud) as events_about:
        order = place(base_url, customer, drinks)
        move(base_url, manager, order["id"], "preparation")
        wait_for_mail(cloud, customer.email, order["id"], 2)
        published = wait_until(
            lambda: len(events_about(order["id"])) >= 2 or None, "two events", MAIL_SECONDS
        )
        assert published
        first = events_about(order["id"])

        # The queue delivers a message again (as SQS may): the notifier sends nothing.
        sqs = resources.local_client("sqs", cloud.moto_url)
        for event in first:
            sqs.send_message(
                QueueUrl=resources.queue_url(_settings(cloud), QUEUE), MessageBody=json.dumps(event)
            )

        # The stream delivers the order's batch again: order-events puts both events again (new
        # event ids, as the second subscriber sees), and the notifier sends nothing.
        records = stream_records(cloud, "orders", order["id"])
        assert [record["eventName"] for record in records] == ["INSERT", "MODIFY"]
        for name, value in {
            SHOPFLOOR_BUS.env_var: SHOPFLOOR_BUS.name,
            "AWS_ENDPOINT_URL": cloud.moto_url,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_REGION": resources.REGION,
            "AWS_DEFAULT_REGION": resources.REGION,
            "POWERTOOLS_SERVICE_NAME": "order-events",
            "POWERTOOLS_METRICS_NAMESPACE": "Shopfloor",
        }.items():
            monkeypatch.setenv(name, value)
        from shopfloor.platform import aws
        from shopfloor.platform.observability import metrics
        from shopfloor.shop.wiring import publisher

        # Read when the module was first imported, maybe by another test, as Lambda reads it at init.
        monkeypatch.setattr(metrics, "namespace", "Shopfloor")

        publisher.cache_clear()
        aws.forget_clients()
        try:
            result = load_handler("order_events").lambda_handler({"Records": records}, FakeLambdaContext())
        finally:
            publisher.cache_clear()
            aws.forget_clients()
        assert result == {"batchItemFailures": []}
        again = wait_until(
            lambda: len(events_about(order["id"])) >= 4 or None, "the events put again", MAIL_SECONDS
        )
        assert again
        repeated = events_about(order["id"])[2:]
        assert [event["detail"] for event in repeated] == [event["detail"] for event in first]
        assert {event["id"] for event in repeated}.isdisjoint(event["id"] for event in first)
        for event in repeated:  # the notifier's copies of them are in its queue too
            sqs.send_message(
                QueueUrl=resources.queue_url(_settings(cloud), QUEUE), MessageBody=json.dumps(event)
            )

    settled(cloud)
    time.sleep(1)  # what the rule delivered last is in the queue, then handled
    settled(cloud)
    assert [mail.subject for mail in about(order["id"], mail_to(cloud, customer.email))] == [
        f"Order {order['id']} placed: waiting",
        f"Order {order['id']} is now in preparation",
    ]
    assert len(about(order["id"], mail_to(cloud, SHOP_ADDRESS))) == 1


def test_when_ses_is_unavailable_the_message_is_retried_then_waits_in_the_dead_letter_queue(
    cloud: LocalCloud, base_url: str, drinks: Drinks
) -> None:
    settings = _settings(cloud)
    sqs = resources.local_client("sqs", cloud.moto_url)
    sesv2 = resources.local_client("sesv2", cloud.moto_url)
    queue_url, dlq_url = resources.queue_url(settings, QUEUE), resources.queue_url(settings, DEAD_LETTERS)
    customer = new_customer(base_url)
    settled(cloud)
    sesv2.delete_email_identity(EmailIdentity=SHOP_MAIL.local_address)
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"VisibilityTimeout": "1"})
    try:
        order = place(base_url, customer, drinks)

        def dead_letter() -> dict[str, Any] | None:
            for message in sqs.receive_message(
                QueueUrl=dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=1, AttributeNames=["All"]
            ).get("Messages", []):
                event = json.loads(message["Body"])
                if event["detail"]["order_id"] == order["id"]:
                    sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
                    return {"event": event, "receives": int(message["Attributes"]["ApproximateReceiveCount"])}
            return None

        waiting = wait_until(dead_letter, "the event in the dead-letter queue", MAIL_SECONDS)
    finally:
        sesv2.create_email_identity(EmailIdentity=SHOP_MAIL.local_address)
        sqs.set_queue_attributes(
            QueueUrl=queue_url,
            Attributes={"VisibilityTimeout": str(resources.visibility_timeout(ORDER_EMAILS, settings))},
        )
    assert waiting["event"]["detail-type"] == "OrderPlaced"
    assert waiting["receives"] >= ORDER_EMAILS.max_receive_count
    assert about(order["id"], mail_to(cloud, customer.email)) == []

    # SES is back: the operator redrives the message, and each e-mail goes out once.
    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(waiting["event"]))
    wait_for_mail(cloud, customer.email, order["id"], 1)
    wait_for_mail(cloud, SHOP_ADDRESS, order["id"], 1)
    settled(cloud)
    assert len(about(order["id"], mail_to(cloud, customer.email))) == 1
