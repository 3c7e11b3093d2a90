"""`Idempotency-Key` on every POST that creates: one mechanism, the same answers on every route.

- The key is 1 to 255 printable ASCII characters; anything else is 422
  `{"message": ["Idempotency-Key: ..."]}` (the header's schema, `platform.http.IdempotencyKey`,
  validated by the resolver).
- The key's record is written in the same DynamoDB transaction as what the request creates
  (platform/idempotency_records.py), so of any number of concurrent requests with one key exactly
  one creates. The others, and every later replay with the same request, answer the first response
  (status, body and `Location`) with `Idempotent-Replayed: true`.
- The same key with another request is 422 `{"message": ["Idempotency-Key: already used for a
  different request"]}`.
- Keys are scoped to the route (and, where the caller is signed in, to the caller) and expire after
  a TTL the route declares; a route whose keys must outlive any retry (the seed loader's) keeps
  them as long as what they created.

This module loads neither pynamodb and botocore (the docs function imports the routes that use it)
nor the HTTP resolver (the services that use it are also imported by event functions).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Final, Generic, TypeVar

from pydantic import BaseModel

from shopfloor.platform.errors import DomainError

T = TypeVar("T")

HEADER: Final = "Idempotency-Key"
REPLAYED_HEADER: Final = "Idempotent-Replayed"
MAX_KEY_LENGTH: Final = 255
KEY_PATTERN: Final = r"^[\x20-\x7e]+$"
KEY_REUSED: Final = "already used for a different request"


class KeyReusedError(DomainError):
    """The key was first sent with another request."""

    status = 422

    def __init__(self) -> None:
        super().__init__([f"{HEADER}: {KEY_REUSED}"])


@dataclass(frozen=True)
class IdempotentRequest:
    """A client's key for one route (and caller), with a fingerprint of what it asked for."""

    scope: str
    key: str
    fingerprint: str
    # How long the key is kept; None: as long as what it created.
    ttl: timedelta | None

    @property
    def record_id(self) -> str:
        return f"{self.scope}#{self.key}"


@dataclass(frozen=True)
class Created(Generic[T]):
    """What a POST created, or (replayed) what the first request with its key created."""

    resource: T
    replayed: bool = False


def idempotent_request(
    route: str,
    key: str | None,
    request: BaseModel,
    ttl: timedelta | None,
    caller: str | None = None,
) -> IdempotentRequest | None:
    """The request's key for `route`, or None without one. The fingerprint is that of the validated
    request, so a retry that differs only in spacing or in fields the route ignores is the same."""
    if key is None:
        return None
    scope = route if caller is None else f"{route}#{caller}"
    return IdempotentRequest(scope, key, fingerprint(request.model_dump_json().encode()), ttl)


def fingerprint(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.hexdigest()
