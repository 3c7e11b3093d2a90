"""Construct ids derived from topology names, so a resource's logical id says what it is."""

from __future__ import annotations

import re

from aws_cdk import Stage
from constructs import IConstruct

from infra.topology import APP_NAME

_WORD_SEPARATORS = re.compile(r"[^0-9A-Za-z]+")


def construct_id(name: str, suffix: str = "") -> str:
    """`warranty-archiver` -> `WarrantyArchiver` (plus suffix): stable across deployments."""
    words = (word for word in _WORD_SEPARATORS.split(name) if word)
    return "".join(word[0].upper() + word[1:] for word in words) + suffix


def stage_prefix(scope: IConstruct) -> str:
    """`Shopfloor-Dev` for anything in the stage `Dev`, whichever of its stacks holds it: what the
    stage's named resources are called after (the event bus `shopfloor-dev`, the user pool
    `Shopfloor-Dev-shop-users`), so that a resource keeps its name when it moves between stacks and
    two stages in one account never share one. Outside any stage: `Shopfloor`."""
    stage = Stage.of(scope)
    stage_name = stage.stage_name if stage is not None else ""
    return f"{APP_NAME}-{stage_name}" if stage_name else APP_NAME
