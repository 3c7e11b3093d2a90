"""Every request body is checked here, before routing and field validation, the same on every route:

- larger than the route's limit: 413, whatever it holds;
- not UTF-8 text: 400;
- declared (or taken to be) JSON, but not JSON, or nested deeper than MAX_DEPTH: 400;
- of a content type no route reads (neither JSON nor a form): 415.

A body that passes reaches the resolver as text (the HTTP API sends a body that is not UTF-8 text
base64-encoded, with `isBase64Encoded`).
What the JSON must contain is each route's schema's business (422, or 400 "No input data provided").
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, Final

from shopfloor.platform import errors

DEFAULT_LIMIT_BYTES: Final = 16 * 1024
MAX_DEPTH: Final = 32
NOT_UTF8: Final = "Request body must be UTF-8 text."
FORM: Final = "application/x-www-form-urlencoded"
TOO_DEEP: Final = f"Request body must not be nested deeper than {MAX_DEPTH} levels."


class BodyRefusedError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def too_large(limit: int) -> str:
    return f"Request body is larger than {limit} bytes."


def checked(event: dict[str, Any], limits: Mapping[str, int]) -> dict[str, Any]:
    """The event with its body as text; BodyRefusedError for a body no route may read."""
    raw = event.get("body")
    if not raw:
        return event
    limit = limits.get(route_key(event), DEFAULT_LIMIT_BYTES)
    data = _bytes(raw, bool(event.get("isBase64Encoded")))
    if len(data) > limit:
        raise BodyRefusedError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, too_large(limit))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BodyRefusedError(HTTPStatus.BAD_REQUEST, NOT_UTF8) from error
    content_type = _content_type(event)
    if _is_json(content_type):
        if text.strip():
            _check_json(text)
    elif content_type != FORM:
        raise BodyRefusedError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, errors.UNSUPPORTED_CONTENT_TYPE)
    return {**event, "body": text, "isBase64Encoded": False}


def route_key(event: Mapping[str, Any]) -> str:
    """`<METHOD> <route path>`, as routes name their limits and guards (`POST /warranties`): the
    method as sent, and the path of the HTTP API route that took the request (an `ANY` route's too;
    the path as sent when there is none), without a trailing slash."""
    http = (event.get("requestContext") or {}).get("http") or {}
    _, _, route_path = str(event.get("routeKey") or "").partition(" ")
    path = route_path or str(event.get("rawPath") or "/")
    return f"{http.get('method', '')} {path.rstrip('/') or '/'}"


def _bytes(raw: str, is_base64: bool) -> bytes:
    if not is_base64:
        return raw.encode("utf-8", "surrogatepass")
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError) as error:
        raise BodyRefusedError(HTTPStatus.BAD_REQUEST, NOT_UTF8) from error


def _content_type(event: Mapping[str, Any]) -> str:
    headers = event.get("headers") or {}
    for name, value in headers.items():
        if name.lower() == "content-type":
            return str(value).split(";")[0].strip().lower()
    return ""


def _is_json(content_type: str) -> bool:
    """JSON, or no type at all (the routes read JSON whatever a client forgot to say)."""
    return not content_type or content_type == "application/json" or content_type.endswith("+json")


def _check_json(text: str) -> None:
    try:
        parsed = json.loads(text)
    except RecursionError as error:
        raise BodyRefusedError(HTTPStatus.BAD_REQUEST, TOO_DEEP) from error
    except ValueError as error:
        raise BodyRefusedError(HTTPStatus.BAD_REQUEST, errors.NOT_JSON) from error
    if _depth_exceeds(parsed, MAX_DEPTH):
        raise BodyRefusedError(HTTPStatus.BAD_REQUEST, TOO_DEEP)


def _depth_exceeds(value: object, limit: int) -> bool:
    """Whether containers nest deeper than `limit` (a scalar is depth 0, `[]` depth 1)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False
