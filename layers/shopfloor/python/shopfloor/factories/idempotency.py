"""Idempotency-Key on POST: a replay with the same key and body answers what the first request
created and creates nothing; the same key with another body is refused (422).

The key's record is written in the same transaction as what it creates, so of two concurrent
requests with one key exactly one creates; the other answers the winner's result.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final, Generic, Protocol, TypeVar

T = TypeVar("T")

HEADER: Final = "Idempotency-Key"
MAX_KEY_LENGTH: Final = 255


@dataclass(frozen=True)
class RequestKey:
    """A client's Idempotency-Key for a POST to `resource`, with a fingerprint of what it sent."""

    resource: str
    key: str
    fingerprint: str

    @property
    def record_key(self) -> str:
        return f"{self.resource}#{self.key}"


@dataclass(frozen=True)
class Recorded:
    resource_id: int
    fingerprint: str
    response: str | None


@dataclass(frozen=True)
class Created(Generic[T]):
    resource: T
    replayed: bool


class KeyReusedError(Exception):
    """The key was first sent with another request."""


class KeyTakenError(Exception):
    """A concurrent request with the same key created first; nothing of this one was stored."""


class RequestKeys(Protocol):
    def find(self, request: RequestKey) -> Recorded | None: ...


def fingerprint(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.hexdigest()


def recorded_for(keys: RequestKeys, request: RequestKey) -> Recorded | None:
    """What the key created before, or None; KeyReusedError if it came with another request."""
    recorded = keys.find(request)
    if recorded is not None and recorded.fingerprint != request.fingerprint:
        raise KeyReusedError(request.key)
    return recorded
