"""What can go wrong creating a warranty, in the domain's words (routes.py answers each)."""

from __future__ import annotations


class WarrantyConflictError(Exception):
    """The transaction kept conflicting with others on the same store or item."""


class IdempotencyKeyReusedError(Exception):
    """The Idempotency-Key was already used with a different request."""


class RequestInProgressError(Exception):
    """A request with the same Idempotency-Key is still being handled."""
