"""The error envelope, and the errors every bounded context raises to answer a client.

The envelope is `{"message": str}`, or `{"message": [str, ...]}` for validation (422). A context's
own errors live in `<context>/errors.py` as subclasses of `DomainError`, each declaring the HTTP
answer it stands for; the resolver (platform/http.py) answers every one of them in one exception
handler, so no route catches a domain error to build a response by hand. This module imports
nothing from Powertools: event functions (queue and stream consumers) raise and import it too.
"""

from __future__ import annotations

from typing import ClassVar, Final

NO_INPUT: Final = "No input data provided"
NOT_FOUND: Final = "Not found."
METHOD_NOT_ALLOWED: Final = "Method not allowed."
INTERNAL_ERROR: Final = "Internal server error."
NOT_JSON: Final = "Request body must be valid JSON."
NOT_OBJECT: Final = "Request body must be a JSON object."
INVALID_CURSOR: Final = "Invalid cursor."
EXTERNAL_SERVICE_FAILED: Final = "Call to external service failed."
UNSUPPORTED_CONTENT_TYPE: Final = "Unsupported content type: send application/json."
UNAUTHORIZED: Final = "Unauthorized."
FORBIDDEN: Final = "Forbidden."

Message = str | list[str]


def envelope(message: Message) -> dict[str, Message]:
    return {"message": message}


class DomainError(Exception):
    """An error a client is answered with: `status`, the envelope's `message` (the class's, unless
    one is given) and, for a condition that passes, `retry_after` seconds."""

    status: ClassVar[int] = 400
    message: ClassVar[str] = "Bad request."
    retry_after: ClassVar[int | None] = None

    def __init__(self, message: Message | None = None) -> None:
        self.answer: Message = type(self).message if message is None else message
        super().__init__(self.answer)

    @property
    def headers(self) -> dict[str, str]:
        return {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}


class BadRequestError(DomainError):
    """400 with a message that says what to change."""


class NoInputError(DomainError):
    message = NO_INPUT


class NotFoundError(DomainError):
    """404: no such resource, or an id that names none (existence is not disclosed)."""

    status = 404
    message = NOT_FOUND


class UnauthorizedError(DomainError):
    """401: no caller, or one whose credentials were refused."""

    status = 401
    message = UNAUTHORIZED


class ForbiddenError(DomainError):
    """403: a signed-in caller whose role may not do this."""

    status = 403
    message = FORBIDDEN


class ConflictError(DomainError):
    """409: the request contradicts what is stored (a taken name, a state that forbids it)."""

    status = 409
    message = "Conflict."


class UnprocessableError(DomainError):
    """422 naming the field: a body that is well-formed but names something that cannot be used."""

    status = 422
    message = "Unprocessable request."


class UnavailableError(DomainError):
    """503: a dependency failed or is overloaded; the client may retry (after `retry_after`
    seconds, where the error says)."""

    status = 503
    message = EXTERNAL_SERVICE_FAILED


class InvalidCursorError(BadRequestError):
    """A cursor this API did not hand out (the cursor is kept for logs, never echoed)."""

    message = INVALID_CURSOR

    def __init__(self, cursor: str = "") -> None:
        super().__init__()
        self.cursor = cursor
