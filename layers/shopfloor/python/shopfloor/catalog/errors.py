"""Failures of the catalogue's outside world, importable without the HTTP client."""

from __future__ import annotations


class OffersServiceError(Exception):
    """The offers service could not be reached, failed, or answered something unusable."""


class NotRegisteredError(OffersServiceError):
    """The offers service does not know the product (404)."""
