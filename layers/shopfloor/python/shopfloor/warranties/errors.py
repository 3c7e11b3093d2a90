"""What can go wrong with a warranty, in the domain's words; the resolver answers each."""

from __future__ import annotations

from shopfloor.platform.errors import UnavailableError


class WarrantyConflictError(UnavailableError):
    """The transaction kept conflicting with others on the same store or item."""

    message = "Too many concurrent requests for this store or item; retry."
    retry_after = 1
