"""What can go wrong with a menu write, in the domain's words; the resolver answers each."""

from __future__ import annotations

from shopfloor.platform.errors import UnavailableError, UnprocessableError


class MenuTooLargeError(UnprocessableError):
    """The precomputed view would no longer fit in the one item that serves it: nothing is written."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            [
                f"menu: would take {size} bytes, more than the {limit} the menu may take; delete "
                "products or variations, or shorten names and descriptions, first"
            ]
        )


class MenuBusyError(UnavailableError):
    """Other writes kept changing the menu between this one's read and its write. (The platform's
    TransactionConflictError says the same, but importing it would load pynamodb into the docs
    function, which imports the routes and with them this context's service.)"""

    message = "Too many concurrent changes to the menu; retry."
    retry_after = 1
