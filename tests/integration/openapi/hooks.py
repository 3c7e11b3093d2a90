"""Schemathesis hooks of the contract run (schemathesis.toml)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import schemathesis

_VALID_KEY = re.compile(r"[\x20-\x7e]{1,255}")


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    """A valid Idempotency-Key becomes a fresh one: generated keys repeat across requests, and the
    same key with another body is rightly refused (422). Invalid keys are sent as generated."""
    headers = case.headers or {}
    for name, value in headers.items():
        if name.lower() == "idempotency-key" and isinstance(value, str) and _VALID_KEY.fullmatch(value):
            headers[name] = f"contract-{uuid.uuid4()}"
    return case
