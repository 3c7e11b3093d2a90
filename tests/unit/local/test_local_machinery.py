"""The local cloud's pure parts: settings, offers evolution, batch responses, events, sync diff."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local.errors import LocalCloudError
from infra.local.event_sources import failed_message_ids, schedule_interval, sqs_event
from infra.local.offers_service import initial_offers, next_offers
from infra.local.settings import LocalSettings
from infra.local.sync import diff
from infra.topology import FUNCTIONS

IDS = ["a", "b", "c"]
DISPATCH = next(function for function in FUNCTIONS if function.schedule_minutes is not None)


@pytest.mark.parametrize(
    ("result", "failed"),
    [
        (None, set()),
        ({}, set()),
        ({"batchItemFailures": None}, set()),
        ({"batchItemFailures": []}, set()),
        ({"batchItemFailures": [{"itemIdentifier": "b"}]}, {"b"}),
        ({"batchItemFailures": [{"itemIdentifier": "zzz"}]}, set(IDS)),
        ({"batchItemFailures": [{"itemIdentifier": ""}]}, set(IDS)),
        ({"batchItemFailures": [{"itemIdentifier": None}]}, set(IDS)),
        ({"batchItemFailures": [{"id": "b"}]}, set(IDS)),
        ({"batchItemFailures": "b"}, set(IDS)),
        ("garbage", set(IDS)),
        ([], set(IDS)),
    ],
)
def test_batch_responses_are_read_as_lambda_reads_them(result: Any, failed: set[str]) -> None:
    assert failed_message_ids(result, IDS) == failed


def test_the_sqs_event_spells_records_as_lambda_does() -> None:
    message = {
        "MessageId": "m",
        "ReceiptHandle": "r",
        "Body": "{}",
        "MD5OfBody": "md5",
        "Attributes": {"ApproximateReceiveCount": "2"},
        "MessageAttributes": {"kind": {"StringValue": "x", "DataType": "String"}},
    }

    (record,) = sqs_event([message], "arn:aws:sqs:us-east-1:123456789012:q")["Records"]

    assert record["messageId"] == "m"
    assert record["attributes"] == {"ApproximateReceiveCount": "2"}
    assert record["messageAttributes"]["kind"]["stringValue"] == "x"
    assert record["messageAttributes"]["kind"]["dataType"] == "String"
    assert record["eventSourceARN"].endswith(":q")


def test_offers_evolve_deterministically() -> None:
    first = initial_offers(1, "p")
    assert first == initial_offers(1, "p")
    assert first != initial_offers(2, "p")
    assert next_offers(first, 1, "p", 1) == next_offers(first, 1, "p", 1)


def test_a_product_always_keeps_at_least_one_offer() -> None:
    offers = initial_offers(0, "p")
    for tick in range(1, 300):
        offers = next_offers(offers, 0, "p", tick)
        assert 1 <= len(offers) <= 8
        assert all(offer.price > 0 and offer.items_in_stock > 0 for offer in offers)


def test_schedule_interval_follows_the_topology_unless_overridden() -> None:
    assert schedule_interval(DISPATCH, LocalSettings()) == (DISPATCH.schedule_minutes or 0) * 60
    assert schedule_interval(DISPATCH, LocalSettings(schedule_seconds=5)) == 5
    assert schedule_interval(DISPATCH, LocalSettings(schedule_seconds=0)) is None


def test_settings_read_the_offers_and_event_source_variables() -> None:
    settings = LocalSettings.from_environ(
        {
            "SHOPFLOOR_OFFERS_PORT": "9090",
            "SHOPFLOOR_OFFERS_TICK_SECONDS": "0",
            "SHOPFLOOR_OFFERS_LATENCY_MS": "20",
            "SHOPFLOOR_OFFERS_FAILURE": "5XX",
            "SHOPFLOOR_SCHEDULE_SECONDS": "5",
            "SHOPFLOOR_VISIBILITY_TIMEOUT_SECONDS": "2",
        }
    )

    assert settings.offers_url == "http://127.0.0.1:9090"
    assert settings.offers_tick_seconds == 0
    assert settings.offers_latency_ms == 20
    assert settings.offers_failure == "5xx"
    assert settings.schedule_seconds == 5
    assert settings.visibility_timeout_seconds == 2
    defaults = LocalSettings.from_environ({})
    assert (defaults.offers_port, defaults.offers_refresh_token) == (8080, "local-refresh-token")
    assert (defaults.offers_tick_seconds, defaults.schedule_seconds) == (60, None)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SHOPFLOOR_OFFERS_FAILURE", "gremlins"),
        ("SHOPFLOOR_OFFERS_TICK_SECONDS", "soon"),
        ("SHOPFLOOR_OFFERS_FAILURE_RATE", "2"),
        ("SHOPFLOOR_SCHEDULE_SECONDS", "-1"),
    ],
)
def test_a_bad_setting_is_an_error_naming_it(name: str, value: str) -> None:
    with pytest.raises(LocalCloudError, match=name):
        LocalSettings.from_environ({name: value})


def test_the_sync_diff_sorts_offers_into_inserted_updated_deleted() -> None:
    before = {
        1: {"kept": {"price": 1}, "changed": {"price": 1}, "gone": {"price": 1}},
        2: {"x": {"price": 1}},
    }
    after = {1: {"kept": {"price": 1}, "changed": {"price": 2}, "new": {"price": 3}}, 2: {"x": {"price": 1}}}

    changes = diff(before, after)

    assert list(changes) == [1]
    assert set(changes[1].inserted) == {"new"}
    assert changes[1].updated == {"changed": ({"price": 1}, {"price": 2})}
    assert set(changes[1].deleted) == {"gone"}
