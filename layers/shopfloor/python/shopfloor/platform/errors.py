"""The error envelope: `{"message": str}`, or `{"message": [str, ...]}` for validation (422)."""

from __future__ import annotations

from typing import Final

from aws_lambda_powertools.event_handler.exceptions import BadRequestError, NotFoundError

NO_INPUT: Final = "No input data provided"
NOT_FOUND: Final = "Not found."
METHOD_NOT_ALLOWED: Final = "Method not allowed."
INTERNAL_ERROR: Final = "Internal server error."
NOT_JSON: Final = "Request body must be valid JSON."
NOT_OBJECT: Final = "Request body must be a JSON object."
INVALID_CURSOR: Final = "Invalid cursor."
EXTERNAL_SERVICE_FAILED: Final = "Call to external service failed."
UNSUPPORTED_CONTENT_TYPE: Final = "Unsupported content type: send application/json."


def envelope(message: str | list[str]) -> dict[str, str | list[str]]:
    return {"message": message}


def not_found() -> NotFoundError:
    return NotFoundError(NOT_FOUND)


def no_input() -> BadRequestError:
    return BadRequestError(NO_INPUT)
