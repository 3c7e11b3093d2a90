"""Who calls a signed-in route (shopfloor.shop.callers): the claims the HTTP API's JWT authorizer puts
at `requestContext.authorizer.jwt.claims`, every value a string, an array as `"[a b]"`."""

from __future__ import annotations

from typing import Any

import pytest

from shopfloor.platform import errors
from shopfloor.shop.callers import Caller, Role, caller_in, groups_of, only
from tests.helpers.events import api_event
from tests.unit.shop.claims import CUSTOMER_EMAIL, MANAGER_EMAIL, claims


@pytest.mark.parametrize(
    ("claim", "groups"),
    [
        # As the HTTP API hands an array claim over.
        ("[managers customers]", ["managers", "customers"]),
        ("[managers]", ["managers"]),
        ("[customers]", ["customers"]),
        ("[]", []),
        ("", []),
        ("  [managers  customers]  ", ["managers", "customers"]),
        # A JSON list, as text or as a list.
        ('["managers","customers"]', ["managers", "customers"]),
        ('["managers", "customers"]', ["managers", "customers"]),
        (["managers", "customers"], ["managers", "customers"]),
        ([], []),
        # A comma-separated list, or one bare name.
        ("managers,customers", ["managers", "customers"]),
        ("managers, customers", ["managers", "customers"]),
        ("managers", ["managers"]),
        (None, []),
    ],
)
def test_groups_are_read_from_the_claim_as_the_http_api_sends_it_or_as_a_list(
    claim: Any, groups: list[str]
) -> None:
    assert groups_of(claim) == groups


@pytest.mark.parametrize(
    ("group_claim", "role"),
    [
        ("[managers customers]", Role.MANAGER),
        ("[customers managers]", Role.MANAGER),
        ("[managers]", Role.MANAGER),
        ("[customers]", Role.CUSTOMER),
        ("", Role.CUSTOMER),
        # A group whose name merely contains "managers" is another group.
        ("[shift-managers]", Role.CUSTOMER),
        (None, Role.CUSTOMER),
    ],
)
def test_a_member_of_managers_is_a_manager_and_anyone_else_a_customer(
    group_claim: str | None, role: Role
) -> None:
    signed_in = claims(MANAGER_EMAIL, None)
    if group_claim is not None:
        signed_in["cognito:groups"] = group_claim

    assert caller_in(api_event("GET", "/users/me", claims=signed_in)) == Caller(MANAGER_EMAIL, role)


def test_the_caller_comes_from_the_jwt_authorizers_claims() -> None:
    event = api_event("GET", "/users/me", claims=claims("Ada@Example.com", "customers"))

    assert event["requestContext"]["authorizer"] == {"jwt": {"claims": event_claims(event), "scopes": None}}
    assert caller_in(event) == Caller("ada@example.com", Role.CUSTOMER)


def event_claims(event: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = event["requestContext"]["authorizer"]["jwt"]["claims"]
    return found


@pytest.mark.parametrize(
    "authorizer",
    [
        None,
        {},
        {"jwt": None},
        {"jwt": {"scopes": None}},
        {"jwt": {"claims": {}, "scopes": None}},
        {"jwt": {"claims": {"sub": "x", "email": ""}, "scopes": None}},
        # Where the REST API's Cognito authorizer put them: not where the HTTP API does.
        {"claims": {"sub": "x", "email": CUSTOMER_EMAIL, "cognito:groups": "customers"}},
        # A Lambda authorizer's context.
        {"lambda": {"email": CUSTOMER_EMAIL}},
    ],
)
def test_a_caller_without_jwt_claims_is_401(authorizer: dict[str, Any] | None) -> None:
    event = api_event("GET", "/users/me")
    if authorizer is not None:
        event["requestContext"]["authorizer"] = authorizer

    with pytest.raises(errors.UnauthorizedError):
        caller_in(event)


def test_a_guard_refuses_a_role_with_403_and_no_caller_with_401() -> None:
    managers_only = only(Role.MANAGER)

    managers_only(api_event("POST", "/menu/products", claims=claims(MANAGER_EMAIL, "managers")))
    with pytest.raises(errors.ForbiddenError):
        managers_only(api_event("POST", "/menu/products", claims=claims(CUSTOMER_EMAIL, "customers")))
    with pytest.raises(errors.UnauthorizedError):
        managers_only(api_event("POST", "/menu/products"))
