"""What the orders routes tell the OpenAPI document: signed in, tagged, every status they answer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.event_handler.openapi.models import OAuth2, OAuthFlowPassword, OAuthFlows

from shopfloor.platform.http import create_resolver
from shopfloor.platform.openapi import OAUTH2, SIGNED_IN
from shopfloor.shop.orders.routes import router

POWERTOOLS_422 = "HTTPValidationError"
ANSWERS = {
    ("post", "/orders"): {"201", "400", "401", "403", "413", "415", "422", "503"},
    ("get", "/orders"): {"200", "400", "401", "422"},
    ("get", "/orders/{id}"): {"200", "401", "404"},
    ("patch", "/orders/{id}/status"): {"200", "400", "401", "403", "404", "409", "413", "415", "422"},
    ("post", "/orders/{id}/cancel"): {"200", "401", "403", "404", "409"},
    ("get", "/orders/{id}/events"): {"200", "401", "404"},
}


@pytest.fixture(scope="module")
def operations() -> dict[tuple[str, str], dict[str, Any]]:
    app = create_resolver()
    app.include_router(router)
    password = OAuthFlowPassword(tokenUrl="/auth/token")
    schema = app.get_openapi_schema(
        title="orders", version="1", security_schemes={OAUTH2: OAuth2(flows=OAuthFlows(password=password))}
    )
    document = schema.model_dump(mode="json", by_alias=True, exclude_none=True)
    return {
        (method, path): operation
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }


def test_every_route_is_documented(operations: dict[tuple[str, str], dict[str, Any]]) -> None:
    assert set(operations) == set(ANSWERS)


@pytest.mark.parametrize("operation", sorted(ANSWERS))
def test_every_route_is_signed_in_and_tagged(
    operations: dict[tuple[str, str], dict[str, Any]], operation: tuple[str, str]
) -> None:
    documented = operations[operation]

    assert documented["security"] == SIGNED_IN
    assert documented["tags"] == ["orders"]


@pytest.mark.parametrize("operation", sorted(ANSWERS))
def test_every_route_documents_what_it_answers(
    operations: dict[tuple[str, str], dict[str, Any]], operation: tuple[str, str]
) -> None:
    responses = operations[operation]["responses"]
    # Powertools adds its own 422 to every operation; the docs function keeps only those declared.
    ours = {status for status, response in responses.items() if POWERTOOLS_422 not in json.dumps(response)}

    assert ours == ANSWERS[operation]
