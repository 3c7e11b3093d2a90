"""Opaque cursors over DynamoDB keys, and RFC 8288 `Link` headers for the next page."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import urlencode

from shopfloor.platform.errors import InvalidCursorError

__all__ = ["InvalidCursorError", "Page", "decode_cursor", "encode_cursor", "id_key", "next_link", "page_of"]

T = TypeVar("T")

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_NUMBER_DIGITS = 38

RawKey = dict[str, dict[str, str]]


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def page_of(found: Sequence[T], limit: int, key_of: Callable[[T], RawKey]) -> Page[T]:
    """A page from up to `limit + 1` items read: the extra one only tells that another page
    follows (so there is never an empty last page); the cursor is the key of the page's last item."""
    if len(found) <= limit:
        return Page(items=list(found), next_cursor=None)
    items = list(found[:limit])
    return Page(items=items, next_cursor=encode_cursor(key_of(items[-1])))


class _Identified(Protocol):
    @property
    def id(self) -> int: ...


def id_key(item: _Identified) -> RawKey:
    """The key of an item in a table keyed by a number `id` (products, warranties, sprockets)."""
    return {"id": {"N": str(item.id)}}


def encode_cursor(key: RawKey) -> str:
    raw = json.dumps(key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, key_names: Collection[str]) -> RawKey:
    """The DynamoDB key a cursor stands for; InvalidCursorError for anything this API did not hand out."""
    try:
        decoded: Any = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise InvalidCursorError(cursor) from error
    if not _is_raw_key(decoded, key_names):
        raise InvalidCursorError(cursor)
    return dict(decoded)


def _is_raw_key(value: Any, key_names: Collection[str]) -> bool:
    if not isinstance(value, dict) or set(value) != set(key_names):
        return False
    for typed in value.values():
        if not isinstance(typed, dict) or len(typed) != 1:
            return False
        ((type_name, scalar),) = typed.items()
        if type_name not in {"S", "N"} or not isinstance(scalar, str):
            return False
        digits = scalar.removeprefix("-")
        # DynamoDB refuses a number of more than 38 significant digits (ValidationException).
        if type_name == "N" and not (
            digits.isascii() and digits.isdigit() and len(digits.lstrip("0")) <= MAX_NUMBER_DIGITS
        ):
            return False
    return True


def next_link(base_url: str, query: dict[str, str], cursor: str) -> str:
    params = {**query, "cursor": cursor}
    return f'<{base_url}?{urlencode(params)}>; rel="next"'
