"""The order status flow, as a table: who may move an order into which status, and from where.

    waiting ──> preparation ──> ready ──> delivered        (a manager)
       ^             │
       └─────────────┘                                     (a manager: back to waiting)
    waiting, preparation ──> cancelled                     (the customer who placed it)

Every status a manager may move an order into has exactly one status it may come from, so a move is
one write conditional on that status: of concurrent moves on one order, exactly those that the flow
allows in sequence succeed, and no order ever reaches a status the flow forbids.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class Status(StrEnum):
    WAITING = "waiting"
    PREPARATION = "preparation"
    READY = "ready"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


# A manager's moves: the wanted status -> the one status it may come from.
MANAGER_MOVES: Final = {
    Status.PREPARATION: Status.WAITING,
    Status.READY: Status.PREPARATION,
    Status.DELIVERED: Status.READY,
    Status.WAITING: Status.PREPARATION,
}
# The statuses from which the customer who placed an order may cancel it.
CANCELLABLE: Final = frozenset({Status.WAITING, Status.PREPARATION})


def manager_source(wanted: Status) -> Status | None:
    """The one status a manager may move an order from into `wanted` (None: from none)."""
    return MANAGER_MOVES.get(wanted)


def cannot_move(current: Status | str, wanted: Status | str) -> str:
    return f"Cannot move an order from {current} to {wanted}."
