"""What each operation answers, for the OpenAPI document: every status, each with the body sent.

Routes declare their answers with `answers(...)`; every error shares one schema, `ErrorEnvelope`
(`{"message": str}`, or for 422 `{"message": [str, ...]}`). The document is the contract:
schemathesis checks the API against it in `make test` (tests/integration/contract/).
"""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus
from typing import Any, Final

from pydantic import BaseModel, Field

JSON: Final = "application/json"

BAD_REQUEST: Final = 400
UNAUTHORIZED: Final = 401
FORBIDDEN: Final = 403
NOT_FOUND: Final = 404
CONFLICT: Final = 409
TOO_LARGE: Final = 413
UNSUPPORTED: Final = 415
INVALID: Final = 422
UNAVAILABLE: Final = 503

# What a route that reads a JSON body may answer besides its own: no input, not UTF-8, not JSON or
# nested too deep (400), too large (413), another content type (415), a field refused (422).
BODY_ERRORS: Final = (BAD_REQUEST, TOO_LARGE, UNSUPPORTED, INVALID)

# The security scheme of the shop's signed-in routes: a bearer token from the OAuth2 password grant
# (POST /auth/token). The docs function declares the scheme; a route names it with
# `security=SIGNED_IN` and answers 401 without a valid token (and 403 for a role it refuses).
OAUTH2: Final = "oauth2"
SIGNED_IN: Final[list[dict[str, list[str]]]] = [{OAUTH2: []}]
TOKEN_PATH: Final = "/auth/token"


def security_schemes(server_url: str = "") -> dict[str, Any]:
    """The document's security schemes: the OAuth2 password flow, its token URL the API's own
    POST /auth/token under `server_url` (Swagger UI's Authorize signs in there). Plain JSON, which
    Powertools validates into its models only when a document is built: importing those models
    would cost every function's cold start some 45 ms."""
    return {
        OAUTH2: {
            "type": "oauth2",
            "description": "Sign in with an e-mail address and password (the demo users are in "
            "README.md); the token is sent as `Authorization: Bearer <token>`.",
            "flows": {"password": {"tokenUrl": f"{server_url.rstrip('/')}{TOKEN_PATH}", "scopes": {}}},
        }
    }


_ERROR_DESCRIPTIONS: Final = {
    BAD_REQUEST: "The request cannot be read: no body, a body that is not UTF-8 JSON (or nested too "
    "deep), an invalid cursor or period.",
    UNAUTHORIZED: "No token, or one that is invalid or expired: sign in at POST /auth/token.",
    FORBIDDEN: "The caller's role may not do this.",
    NOT_FOUND: "No such resource (or an id that is not a positive integer).",
    CONFLICT: "The resource is not in a state that allows this.",
    TOO_LARGE: "The body is larger than this route accepts.",
    UNSUPPORTED: "The body's content type is not one this route reads.",
    INVALID: 'Fields (or parameters, or headers) that are refused: `{"message": ["<field>: <reason>"]}`.',
    UNAVAILABLE: "A dependency failed or is overloaded; retry later.",
}

_HEADER_STRING: Final = {"schema": {"type": "string"}}
LOCATION: Final = {
    "Location": {"description": "The URL of what was created.", "required": True, **_HEADER_STRING}
}
REPLAYED: Final = {
    "Idempotent-Replayed": {
        "description": "`true` when this answers a repeat of an `Idempotency-Key`: nothing was created.",
        "schema": {"type": "string", "enum": ["true"]},
    }
}
NEXT_PAGE: Final = {
    "Link": {"description": 'RFC 8288 `<...?cursor=...>; rel="next"` while more remain.', **_HEADER_STRING}
}
RETRY_AFTER: Final = {"Retry-After": {"description": "Seconds to wait before retrying.", **_HEADER_STRING}}


class ErrorEnvelope(BaseModel):
    """Every error the API answers."""

    message: str | list[str] = Field(
        description='What went wrong; for 422, one `"<field>: <reason>"` per problem.'
    )


def answers(
    status: int,
    body: Any = None,
    *,
    description: str,
    headers: dict[str, Any] | None = None,
    errors: Iterable[int] = (),
    error_descriptions: dict[int, str] | None = None,
    content_type: str = JSON,
) -> dict[int, Any]:
    """The `responses=` of a route: its success (`body` a model or type, None for no body) and the
    errors it may answer, each in the envelope (503 with Retry-After)."""
    success: dict[str, Any] = {"description": description}
    if body is not None:
        success["content"] = {content_type: {"model": body} if content_type == JSON else {"schema": body}}
    else:
        success["content"] = {}
    if headers:
        success["headers"] = headers
    documented: dict[int, Any] = {status: success}
    described = {**_ERROR_DESCRIPTIONS, **(error_descriptions or {})}
    for code in sorted(set(errors)):
        error: dict[str, Any] = {
            "description": described.get(code, HTTPStatus(code).phrase),
            "content": {JSON: {"model": ErrorEnvelope}},
        }
        if code == UNAVAILABLE:
            error["headers"] = RETRY_AFTER
        documented[code] = error
    return documented
