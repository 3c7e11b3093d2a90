"""Time as the API speaks it: ISO 8601 UTC with a Z."""

from __future__ import annotations

from datetime import UTC, datetime

ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    return as_utc(moment).strftime(ISO_FORMAT)


def as_utc(moment: datetime) -> datetime:
    """A naive time is taken to be UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
