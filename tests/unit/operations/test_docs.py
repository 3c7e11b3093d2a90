"""The OpenAPI document says exactly what each operation answers, in standard JSON Schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers.handlers import HandlerClient, load_handler

# Keywords pydantic knows that JSON Schema does not: a document that carries one misleads clients.
NOT_JSON_SCHEMA = {"gt", "ge", "lt", "le", "decimal_places", "max_digits", "strict", "allow_inf_nan"}


@pytest.fixture
def document() -> dict[str, Any]:
    reply = HandlerClient(load_handler("docs")).get("/openapi.json")
    assert reply.status == 200
    return dict(reply.json())


def operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def keys_in(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for key, child in value.items():
            yield key
            yield from keys_in(child)
    elif isinstance(value, list):
        for child in value:
            yield from keys_in(child)


def test_every_error_is_the_one_envelope(document: dict[str, Any]) -> None:
    for name, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) >= 400 and name != "GET /health":  # health answers its status either way
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorEnvelope"}, (name, status)
    envelope = document["components"]["schemas"]["ErrorEnvelope"]
    assert envelope["required"] == ["message"]
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_every_operation_documents_one_success_with_its_body(document: dict[str, Any]) -> None:
    for name, operation in operations(document):
        successes = [status for status in operation["responses"] if status.startswith("2")]
        assert len(successes) == 1, name
        (status,) = successes
        content = operation["responses"][status]["content"]
        if status == "204":
            assert content == {}, name
        else:
            assert any(media.get("schema") for media in content.values()), name


def test_creations_answer_201_with_location(document: dict[str, Any]) -> None:
    creations = [(name, operation) for name, operation in operations(document) if name.startswith("POST")]
    assert creations
    for name, operation in creations:
        created = operation["responses"]["201"]
        assert created["headers"]["Location"]["required"] is True, name


def test_routes_that_read_a_body_document_its_refusals(document: dict[str, Any]) -> None:
    for name, operation in operations(document):
        if "requestBody" in operation:
            assert {"400", "413", "415", "422"} <= set(operation["responses"]), name


def test_routes_with_an_id_document_404(document: dict[str, Any]) -> None:
    for name, operation in operations(document):
        if "{id}" in name:
            assert "404" in operation["responses"], name


def test_only_standard_json_schema_keywords(document: dict[str, Any]) -> None:
    assert NOT_JSON_SCHEMA.isdisjoint(keys_in(document["components"]))
    assert NOT_JSON_SCHEMA.isdisjoint(keys_in(document["paths"]))


def test_enforced_constraints_are_documented(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    cost = schemas["WarrantyIn"]["properties"]["item_cost"]
    assert cost == {
        "type": "number",
        "exclusiveMinimum": 0.0,
        "maximum": 1000000.0,
        "multipleOf": 0.01,
        "title": "Item Cost",
        "description": "The item's price.",
    }
    assert schemas["WarrantyIn"]["properties"]["store_uuid"]["pattern"] == "^[A-Za-z0-9_-]{1,64}$"
    assert schemas["ProductIn"]["properties"]["name"]["pattern"] == r"\S"
    assert schemas["SprocketIn"]["properties"]["teeth"]["exclusiveMinimum"] == 0
