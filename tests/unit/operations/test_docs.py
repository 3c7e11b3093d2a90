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
    creations = [
        (name, operation) for name, operation in operations(document) if "201" in operation["responses"]
    ]
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
    assert schemas["MenuProductIn"]["properties"]["price"]["exclusiveMinimum"] == 0
    assert schemas["SprocketIn"]["properties"]["teeth"]["exclusiveMinimum"] == 0


def test_signed_in_operations_are_exactly_the_routes_behind_the_authorizer(document: dict[str, Any]) -> None:
    from infra.topology import all_routes

    signed_in = {f"{route.method} {route.resource_path}" for route, _ in all_routes() if route.signed_in}
    documented = {name for name, operation in operations(document) if operation.get("security")}

    assert documented == signed_in
    for name, operation in operations(document):
        if name in signed_in:
            assert operation["security"] == [{"oauth2": []}], name
            assert "401" in operation["responses"], name


def test_the_oauth2_password_flow_signs_in_at_the_apis_own_token_url(document: dict[str, Any]) -> None:
    scheme = document["components"]["securitySchemes"]["oauth2"]

    assert scheme["type"] == "oauth2"
    assert scheme["flows"]["password"]["tokenUrl"] == "https://api.example.com/auth/token"
    token = document["paths"]["/auth/token"]["post"]["requestBody"]["content"]
    assert set(token) == {"application/x-www-form-urlencoded", "application/json"}


def test_swagger_ui_shows_the_same_document() -> None:
    docs = HandlerClient(load_handler("docs"))

    page = docs.get("/docs")

    assert page.status == 200
    assert page.headers["Content-Type"] == "text/html"
    assert '"tokenUrl": "https://api.example.com/auth/token"' in page.body
    assert "cdn" not in page.body.split("<script")[0].lower()


def test_the_docs_functions_code_holds_its_handler_and_the_document_the_routes_make() -> None:
    from infra.build import function_code_dir
    from infra.openapi import document_text
    from infra.topology import FUNCTIONS
    from shopfloor.operations.docs import DOCUMENT_FILE

    (docs,) = (function for function in FUNCTIONS if function.name == "docs")
    code = function_code_dir(docs)

    assert code != docs.code_dir
    assert (code / "handler.py").read_bytes() == (docs.code_dir / "handler.py").read_bytes()
    assert (code / DOCUMENT_FILE).read_text(encoding="utf-8") == document_text()
    # Made at each build, never kept beside the source, where it would go stale.
    assert not (docs.code_dir / DOCUMENT_FILE).exists()
