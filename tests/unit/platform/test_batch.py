"""A stream record's new image as plain values, as boto3's TypeDeserializer would give them."""

from __future__ import annotations

from decimal import Decimal

import boto3.dynamodb.types
import pytest

from shopfloor.platform.batch import image_values

IMAGE = {
    "id": {"N": "42"},
    "name": {"S": "Latte"},
    "price": {"N": "4.05"},
    "open": {"BOOL": True},
    "note": {"NULL": True},
    "blob": {"B": "aGVsbG8="},
    "tags": {"SS": ["a", "b"]},
    "sizes": {"NS": ["1", "2.5"]},
    "blobs": {"BS": ["aGVsbG8="]},
    "events": {"L": [{"M": {"status": {"S": "waiting"}, "step": {"N": "0"}}}]},
}


def test_every_type_becomes_the_plain_value_boto3_would_give() -> None:
    plain = image_values({"dynamodb": {"NewImage": IMAGE}})

    assert plain == {
        "id": Decimal(42),
        "name": "Latte",
        "price": Decimal("4.05"),
        "open": True,
        "note": None,
        "blob": b"hello",
        "tags": {"a", "b"},
        "sizes": {Decimal(1), Decimal("2.5")},
        "blobs": {b"hello"},
        "events": [{"status": "waiting", "step": Decimal(0)}],
    }
    # boto3 agrees, but for binary values it receives already decoded (the event carries base64).
    deserializer = boto3.dynamodb.types.TypeDeserializer()
    text_only = {name: value for name, value in IMAGE.items() if name not in {"blob", "blobs"}}
    assert {name: deserializer.deserialize(value) for name, value in text_only.items()} == {
        name: value for name, value in plain.items() if name not in {"blob", "blobs"}
    }


def test_a_record_without_a_new_image_is_empty_and_an_unknown_type_is_refused() -> None:
    assert image_values({"dynamodb": {"Keys": {"id": {"N": "1"}}}}) == {}
    with pytest.raises(ValueError, match="unknown DynamoDB type"):
        image_values({"dynamodb": {"NewImage": {"x": {"Z": "?"}}}})
