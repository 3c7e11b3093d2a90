"""The notifier e-mails the customer on every event of their order and the shop on each order placed,
exactly once per event and recipient, and leaves a message to be retried when SES fails."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from shopfloor.shop.notifier.notifier import Notifier, order_event
from shopfloor.shop.wiring import notifier
from tests.helpers.aws_calls import counting_aws_calls
from tests.helpers.events import sqs_event
from tests.helpers.lambda_context import FakeLambdaContext
from tests.unit.conftest import SENDER, SHOP_ADDRESS, TABLE_NAMES, fixture_client
from tests.unit.shop.claims import CUSTOMER, CUSTOMER_EMAIL
from tests.unit.shop.notifier.conftest import CONTEXT, sent_mail
from tests.unit.shop.orders.conftest import LATTE, TEA, VANILLA, Shop, line

Notify = Callable[..., dict[str, Any]]
Publish = Callable[[list[int]], list[dict[str, Any]]]


def bodies(events: list[dict[str, Any]]) -> list[str]:
    return [json.dumps(event) for event in events]


def sent_items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = fixture_client("dynamodb").scan(TableName=TABLE_NAMES["sent-emails"])[
        "Items"
    ]
    return items


def test_an_order_placed_mails_the_customer_and_the_shop_its_lines_and_total(
    shop: Shop, published: Publish, notify: Notify
) -> None:
    order = shop.place(lines=[line(LATTE, VANILLA, 2), line(TEA)])

    result = notify(*bodies(published([order["id"]])))

    assert result == {"batchItemFailures": []}
    customer, store = sent_mail()
    assert (customer.to, customer.subject) == (CUSTOMER_EMAIL, f"Order {order['id']} placed: waiting")
    assert (store.to, store.subject) == (SHOP_ADDRESS, f"New order {order['id']}: 3 items, 10.20")
    for mail in (customer, store):
        assert mail.message["From"] == SENDER
        assert mail.message["Date"]
        assert mail.message.get_content_type() == "text/plain"
        rows = [row.split() for row in mail.body.splitlines()]
        assert ["2", "x", "Latte", "(Vanilla)", "at", "4.05", "8.10"] in rows
        assert ["1", "x", "Tea", "at", "2.10", "2.10"] in rows
        assert ["Total", "10.20"] in rows


def test_each_step_of_the_flow_mails_the_customer_once_in_the_order_of_the_timeline(
    shop: Shop, published: Publish, notify: Notify
) -> None:
    order = shop.place()
    events = published([order["id"]])
    for status in ("preparation", "ready", "delivered"):
        shop.move(order["id"], status)
        events += published([order["id"]])

    # Delivered all at once and shuffled: sent by step all the same.
    result = notify(*bodies([events[2], events[0], events[3], events[1]]))

    assert result == {"batchItemFailures": []}
    to_customer = [mail.subject for mail in sent_mail() if mail.to == CUSTOMER_EMAIL]
    number = order["id"]
    assert to_customer == [
        f"Order {number} placed: waiting",
        f"Order {number} is now in preparation",
        f"Order {number} is now ready",
        f"Order {number} is now delivered",
    ]
    assert [mail.to for mail in sent_mail()].count(SHOP_ADDRESS) == 1
    assert "It was in preparation." in sent_mail()[-2].body


def test_a_cancel_mails_the_customer_only(shop: Shop, published: Publish, notify: Notify) -> None:
    order = shop.place()
    notify(*bodies(published([order["id"]])))
    assert shop.client.post(f"/orders/{order['id']}/cancel", claims=CUSTOMER).status == 200

    notify(*bodies(published([order["id"]])))

    assert [(mail.to, mail.subject) for mail in sent_mail()[2:]] == [
        (CUSTOMER_EMAIL, f"Order {order['id']} is cancelled")
    ]


def test_a_redelivered_message_or_a_repeated_event_sends_nothing_again(
    shop: Shop, published: Publish, notify: Notify
) -> None:
    order = shop.place()
    first = published([order["id"]])
    again = published([order["id"]])  # the stream record delivered twice: a second event, new id
    assert first[0]["id"] != again[0]["id"]

    notify(*bodies(first))
    assert notify(*bodies(first)) == {"batchItemFailures": []}  # the queue's message again
    assert notify(*bodies(first + again + first)) == {"batchItemFailures": []}  # all in one batch

    assert len(sent_mail()) == 2
    assert sorted(item["to"]["S"] for item in sent_items()) == sorted([CUSTOMER_EMAIL, SHOP_ADDRESS])


def test_one_conditional_write_and_one_send_email_per_e_mail(
    shop: Shop, published: Publish, notify: Notify
) -> None:
    order = shop.place()
    events = published([order["id"]])
    notify(*bodies(events))  # the container is warm
    shop.move(order["id"], "preparation")
    moved = published([order["id"]])

    with counting_aws_calls() as calls:
        notify(*bodies(moved))
    with counting_aws_calls() as repeated:
        notify(*bodies(moved))

    # A later step's e-mail to the customer: its claim also checks the step before's (a transaction).
    assert calls == {"dynamodb.TransactWriteItems": 1, "email.SendEmail": 1}
    assert repeated == {"dynamodb.TransactWriteItems": 1}


def test_when_ses_refuses_the_message_fails_and_its_claims_are_released(
    shop: Shop, published: Publish, notify: Notify
) -> None:
    order = shop.place()
    events = published([order["id"]])
    fixture_client("sesv2").delete_email_identity(EmailIdentity=SENDER)

    result = notify(*bodies(events))

    assert result == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert sent_mail() == []
    assert sent_items() == []
    # Once SES takes e-mail again, the retry sends each e-mail once.
    fixture_client("sesv2").create_email_identity(EmailIdentity=SENDER)
    assert notify(*bodies(events)) == {"batchItemFailures": []}
    assert [mail.to for mail in sent_mail()] == [CUSTOMER_EMAIL, SHOP_ADDRESS]


def test_a_message_without_time_left_for_its_e_mails_is_retried_untouched(
    shop: Shop, published: Publish, notify: Notify
) -> None:
    order = shop.place()
    events = published([order["id"]])

    result = notify(*bodies(events), context=FakeLambdaContext(remaining_ms=5_000))

    assert result == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert sent_mail() == []
    assert sent_items() == []


def test_a_message_that_is_not_an_order_event_fails_alone(
    shop: Shop, published: Publish, notify: Notify
) -> None:
    order = shop.place()
    events = published([order["id"]])
    other_source = {**events[0], "source": "someone.else"}
    no_detail = {key: value for key, value in events[0].items() if key != "detail"}

    result = notify("not json", json.dumps(other_source), json.dumps(no_detail), *bodies(events))

    assert result == {"batchItemFailures": [{"itemIdentifier": f"m{n}"} for n in range(3)]}
    assert len(sent_mail()) == 2


def ordered_notifier(sleep: Callable[[float], None], waits: int = 2) -> Notifier:
    """The notifier as wired, waiting for an e-mail's predecessor with `sleep`, `waits` times."""
    real = notifier()
    return Notifier(
        real._sent,
        real._mailer,
        SHOP_ADDRESS,
        real._clock,
        time_per_email_ms=real._time_per_email_ms,
        order_waits=waits,
        sleep=sleep,
    )


def test_a_step_that_arrives_before_the_one_before_waits_for_it_then_is_retried(
    shop: Shop, published: Publish, ses: None
) -> None:
    order = shop.place()
    placed = published([order["id"]])
    shop.move(order["id"], "preparation")
    moved = published([order["id"]])
    waits: list[float] = []
    ordered = ordered_notifier(waits.append)

    # The move's event comes first: its e-mail waits for the placing's, which does not come in time.
    result = ordered.handle(
        sqs_event(*bodies(moved), queue="order-emails"), CONTEXT.get_remaining_time_in_millis
    )

    assert result == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert len(waits) == 2
    assert sent_mail() == []
    assert sent_items() == []
    ordered.handle(sqs_event(*bodies(placed), queue="order-emails"), CONTEXT.get_remaining_time_in_millis)
    ordered.handle(sqs_event(*bodies(moved), queue="order-emails"), CONTEXT.get_remaining_time_in_millis)
    assert [mail.subject for mail in sent_mail() if mail.to == CUSTOMER_EMAIL] == [
        f"Order {order['id']} placed: waiting",
        f"Order {order['id']} is now in preparation",
    ]


def test_a_step_waits_while_the_one_before_is_being_sent_elsewhere(
    shop: Shop, published: Publish, ses: None
) -> None:
    order = shop.place()
    placed = published([order["id"]])
    shop.move(order["id"], "preparation")
    moved = published([order["id"]])
    # While the move's e-mail waits, another invocation handles the placing.
    other = ordered_notifier(lambda _: None)

    def meanwhile(_: float) -> None:  # the other invocation, while this one waits
        other.notify(order_event(bodies(placed)[0])[1])

    ordered = ordered_notifier(meanwhile, waits=3)

    result = ordered.handle(
        sqs_event(*bodies(moved), queue="order-emails"), CONTEXT.get_remaining_time_in_millis
    )

    assert result == {"batchItemFailures": []}
    assert [mail.subject for mail in sent_mail() if mail.to == CUSTOMER_EMAIL] == [
        f"Order {order['id']} placed: waiting",
        f"Order {order['id']} is now in preparation",
    ]
