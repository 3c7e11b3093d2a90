"""Construct ids derived from topology names, so a resource's logical id says what it is."""

from __future__ import annotations

import re

_WORD_SEPARATORS = re.compile(r"[^0-9A-Za-z]+")


def construct_id(name: str, suffix: str = "") -> str:
    """`warranty-archiver` -> `WarrantyArchiver` (plus suffix): stable across deployments."""
    words = (word for word in _WORD_SEPARATORS.split(name) if word)
    return "".join(word[0].upper() + word[1:] for word in words) + suffix
