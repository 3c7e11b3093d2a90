"""The topology's event bus and e-mail sender in moto server (infra.local.resources): the bus with
its archive and its rule, which moto itself delivers to the local queue, and the sender's address
verified in moto's SES; named as the functions' local environment names them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from infra.local import resources
from infra.local.environment import local_function_environment
from infra.local.mail import sent_mail
from infra.local.settings import LocalSettings
from infra.topology import (
    FUNCTIONS,
    ORDER_EMAILS,
    ORDER_EVENT_TYPES,
    SHOP_EMAIL,
    SHOP_EVENTS_SOURCE,
    SHOP_MAIL,
    SHOPFLOOR_BUS,
)
from tests.unit.local.threaded_moto import threaded_moto

[ORDER_EMAILS_RULE] = SHOPFLOOR_BUS.rules
FUNCTIONS_BY_NAME = {function.name: function for function in FUNCTIONS}


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSettings]:
    for local in threaded_moto(Path(tmp_path_factory.mktemp("moto"))):
        resources.provision(local)
        yield local


@pytest.fixture
def aws(settings: LocalSettings) -> None:
    """The module's moto server, not the tables and queues every other unit test gets."""


@pytest.fixture(scope="module")
def events(settings: LocalSettings) -> Any:
    return resources.client("events", settings)


@pytest.fixture(scope="module")
def sqs(settings: LocalSettings) -> Any:
    return resources.client("sqs", settings)


@pytest.fixture(scope="module")
def ses(settings: LocalSettings) -> Any:
    return resources.client("sesv2", settings)


@pytest.fixture
def order_emails(settings: LocalSettings, sqs: Any) -> str:
    """The notifier's queue, emptied (PurgeQueue: once a minute)."""
    url = resources.queue_urls(settings)[ORDER_EMAILS.name]
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        entries = [{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)]
        sqs.delete_message_batch(QueueUrl=url, Entries=entries)
    return url


def put_event(events: Any, detail_type: str, source: str = SHOP_EVENTS_SOURCE, **detail: Any) -> None:
    answer = events.put_events(
        Entries=[
            {
                "EventBusName": SHOPFLOOR_BUS.name,
                "Source": source,
                "DetailType": detail_type,
                "Detail": json.dumps(detail),
            }
        ]
    )
    assert answer["FailedEntryCount"] == 0, answer


def received(sqs: Any, url: str) -> list[dict[str, Any]]:
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]


def test_the_bus_has_the_local_name_the_publisher_is_given(events: Any, settings: LocalSettings) -> None:
    environment = local_function_environment(FUNCTIONS_BY_NAME["order-events"], settings)

    bus = events.describe_event_bus(Name=environment[SHOPFLOOR_BUS.env_var])

    assert bus["Name"] == "shopfloor"
    assert bus["Arn"] == resources.event_bus_arn(SHOPFLOOR_BUS)


def test_the_bus_archives_every_event_for_the_declared_days(events: Any) -> None:
    archive = events.describe_archive(ArchiveName=resources.archive_name(SHOPFLOOR_BUS))

    assert archive["EventSourceArn"] == resources.event_bus_arn(SHOPFLOOR_BUS)
    assert archive["RetentionDays"] == SHOPFLOOR_BUS.archive_retention_days == 90
    assert archive["State"] == "ENABLED"
    # Every event of the account: the stack's pattern, with moto's account.
    assert json.loads(archive["EventPattern"]) == {"account": [resources.ACCOUNT_ID]}


def test_the_rule_matches_the_declared_pattern_and_sends_to_the_notifiers_queue(events: Any) -> None:
    name = resources.rule_name(SHOPFLOOR_BUS, ORDER_EMAILS_RULE)

    rule = events.describe_rule(Name=name, EventBusName=SHOPFLOOR_BUS.name)
    targets = events.list_targets_by_rule(Rule=name, EventBusName=SHOPFLOOR_BUS.name)["Targets"]

    assert name == "order-emails"  # as deployed: the topology's name, on the bus
    assert json.loads(rule["EventPattern"]) == {
        "source": [SHOP_EVENTS_SOURCE],
        "detail-type": list(ORDER_EVENT_TYPES),
    }
    assert rule["State"] == "ENABLED"
    assert [target["Arn"] for target in targets] == [resources.queue_arn("shopfloor-order-emails")]
    assert FUNCTIONS_BY_NAME["notifier"].consumes == ORDER_EMAILS.name


@pytest.mark.parametrize("detail_type", ORDER_EVENT_TYPES)
def test_moto_delivers_each_order_event_to_the_queue(
    events: Any, sqs: Any, order_emails: str, detail_type: str
) -> None:
    put_event(events, detail_type, order_id=7, note="crème brûlée")

    [event] = received(sqs, order_emails)

    assert event["source"] == SHOP_EVENTS_SOURCE
    assert event["detail-type"] == detail_type
    assert event["detail"] == {"order_id": 7, "note": "crème brûlée"}
    assert event["time"].endswith("Z")
    assert event["id"]


def test_other_events_do_not_reach_the_queue(events: Any, sqs: Any, order_emails: str) -> None:
    put_event(events, "ProductChanged", order_id=1)
    put_event(events, "OrderPlaced", source="shopfloor.catalog", order_id=2)

    assert received(sqs, order_emails) == []


def test_the_archive_keeps_every_event(events: Any, order_emails: str) -> None:
    name = resources.archive_name(SHOPFLOOR_BUS)
    before = events.describe_archive(ArchiveName=name)["EventCount"]

    put_event(events, "OrderPlaced", order_id=3)
    put_event(events, "SomethingElse", order_id=4)

    assert events.describe_archive(ArchiveName=name)["EventCount"] == before + 2


def test_the_sender_the_notifier_is_given_is_verified(ses: Any, settings: LocalSettings) -> None:
    environment = local_function_environment(FUNCTIONS_BY_NAME["notifier"], settings)
    identities = ses.list_email_identities()["EmailIdentities"]

    assert environment[SHOP_MAIL.env_var] == SHOP_MAIL.local_address
    assert environment[SHOP_EMAIL.env_var] == SHOP_EMAIL.local_value
    assert identities == [
        {
            "IdentityType": "EMAIL_ADDRESS",
            "IdentityName": SHOP_MAIL.local_address,
            "SendingEnabled": True,
            "VerificationStatus": "SUCCESS",
        }
    ]


def raw_email(sender: str, to: str, subject: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content("Your flat white is ready.")
    return message.as_bytes()


def test_moto_sends_from_the_verified_sender_only(ses: Any, settings: LocalSettings) -> None:
    to = "verified-sender@example.com"

    sent = ses.send_email(
        FromEmailAddress=SHOP_MAIL.local_address,
        Destination={"ToAddresses": [to]},
        Content={"Raw": {"Data": raw_email(SHOP_MAIL.local_address, to, "Order 1")}},
    )
    with pytest.raises(ClientError) as refused:
        ses.send_email(
            FromEmailAddress="someone-else@example.com",
            Destination={"ToAddresses": [to]},
            Content={"Raw": {"Data": raw_email("someone-else@example.com", to, "Order 2")}},
        )

    assert refused.value.response["Error"]["Code"] == "MessageRejected"
    [mail] = [mail for mail in sent_mail(settings.moto_url) if to in mail.to]
    assert mail.id == sent["MessageId"]
    assert mail.subject == "Order 1"


def test_provisioning_again_changes_nothing(settings: LocalSettings, events: Any, ses: Any) -> None:
    resources.provision(settings)

    rules = events.list_rules(EventBusName=SHOPFLOOR_BUS.name)["Rules"]
    name = resources.rule_name(SHOPFLOOR_BUS, ORDER_EMAILS_RULE)
    targets = events.list_targets_by_rule(Rule=name, EventBusName=SHOPFLOOR_BUS.name)["Targets"]
    archives = events.list_archives()["Archives"]

    assert [rule["Name"] for rule in rules if not rule.get("ManagedBy")] == [name]
    assert len(targets) == 1
    assert [(archive["ArchiveName"], archive["RetentionDays"]) for archive in archives] == [
        ("shopfloor-archive", 90)
    ]
    assert len(ses.list_email_identities()["EmailIdentities"]) == 1
