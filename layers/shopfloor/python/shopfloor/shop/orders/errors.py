"""What can go wrong with an order, in the domain's words; the resolver answers each."""

from __future__ import annotations

from shopfloor.platform.errors import ConflictError, UnprocessableError
from shopfloor.shop.orders.flow import Status, cannot_move


class CannotMoveError(ConflictError):
    """409: the flow does not lead from the order's status to the one wanted (or, for a cancel,
    the order is past being cancelled)."""

    def __init__(self, current: Status | str, wanted: Status) -> None:
        super().__init__(cannot_move(current, wanted))
        self.current = current
        self.wanted = wanted


class UnorderableLinesError(UnprocessableError):
    """422 naming each line that the menu cannot serve: `["lines.<n>.<field>: <reason>", ...]`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems)
        self.problems = problems
