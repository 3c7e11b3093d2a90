"""Who calls a signed-in shop route: the claims of the caller's token, which the HTTP API's JWT
authorizer (or the local gateway, playing it) has already verified and put in the event, at
`requestContext.authorizer.jwt.claims`.

The HTTP API gives every claim as a string: an array claim such as `cognito:groups` arrives as
`"[managers customers]"` (its items space-separated in brackets), `"[managers]"`, or `""`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from shopfloor.platform import errors

MANAGERS = "managers"
CUSTOMERS = "customers"
GROUPS_CLAIM = "cognito:groups"


class Role(StrEnum):
    MANAGER = "manager"
    CUSTOMER = "customer"


@dataclass(frozen=True)
class Caller:
    email: str
    role: Role


def caller_of(event: APIGatewayProxyEventV2) -> Caller:
    """The signed-in caller; 401 when the event carries no verified claims (a route deployed
    without the authorizer refuses rather than serves anonymous callers)."""
    return caller_in(event.raw_event)


def caller_in(raw_event: Mapping[str, Any]) -> Caller:
    """The signed-in caller of an HTTP API event as Lambda receives it (see caller_of)."""
    claims = _claims(raw_event)
    email = claims.get("email")
    if not isinstance(email, str) or not email:
        raise errors.UnauthorizedError()
    return Caller(email=email.lower(), role=role_of(groups_of(claims.get(GROUPS_CLAIM))))


def role_of(groups: list[str]) -> Role:
    """A member of `managers` is a manager (whatever else); anyone else signed in is a customer."""
    return Role.MANAGER if MANAGERS in groups else Role.CUSTOMER


def groups_of(claim: object) -> list[str]:
    """The groups of a `cognito:groups` claim: as the HTTP API sends it (`"[managers customers]"`,
    `"[managers]"`, `""`), or as a JSON list (text or not) or a comma-separated list. Cognito's
    group names hold no whitespace, so spaces and commas only ever separate them."""
    if claim is None:
        return []
    if isinstance(claim, list):
        return [str(group) for group in claim if str(group)]
    text = str(claim).strip()
    if text.startswith("["):
        listed = _json_list(text)
        if listed is not None:
            return listed
        text = text.removeprefix("[").removesuffix("]")
    return text.replace(",", " ").split()


def _json_list(text: str) -> list[str] | None:
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return [str(group) for group in parsed if str(group)] if isinstance(parsed, list) else None


def require(caller: Caller, role: Role) -> None:
    """403 unless the caller has `role`."""
    if caller.role is not role:
        raise errors.ForbiddenError(f"Only {role.value}s may do this.")


def only(role: Role) -> Callable[[Mapping[str, Any]], None]:
    """A route's guard (platform.observability.http_handler): 401 without a caller, 403 unless
    the caller has `role`, before the body is read."""

    def guard(raw_event: Mapping[str, Any]) -> None:
        require(caller_in(raw_event), role)

    return guard


def _claims(raw_event: Mapping[str, Any]) -> Mapping[str, Any]:
    context = raw_event.get("requestContext") or {}
    authorizer = context.get("authorizer") or {}
    jwt = authorizer.get("jwt") if isinstance(authorizer, Mapping) else None
    claims = jwt.get("claims") if isinstance(jwt, Mapping) else None
    return claims if isinstance(claims, Mapping) else {}
