"""The catalogue's domain errors, each with the answer a client gets (the resolver answers them all).

Importable without Powertools or the HTTP client: the offers worker raises and catches them too.
"""

from __future__ import annotations

from shopfloor.platform.errors import UnavailableError


class OffersServiceError(UnavailableError):
    """The offers service could not be reached, failed, or answered something unusable.

    A client is answered 503 `{"message": "Call to external service failed."}`, without Retry-After.
    The detail given says what failed, for logs only: it is never sent to the client.
    """

    def __init__(self, detail: str | None = None) -> None:
        super().__init__()
        if detail is not None:
            self.args = (detail,)


class NotRegisteredError(OffersServiceError):
    """The offers service does not know the product (404)."""
