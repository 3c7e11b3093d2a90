"""Accounts: a sign-up makes a customer; a sign-in answers a bearer token. The user pool itself (who
exists, passwords, groups, tokens) is behind the `UserDirectory` interface."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from shopfloor.platform import errors
from shopfloor.shop.auth.schemas import Account, SignupIn, Token, TokenIn
from shopfloor.shop.callers import CUSTOMERS, Role

INCORRECT_CREDENTIALS = "Incorrect email or password."


class EmailTakenError(errors.ConflictError):
    message = "An account with this email already exists."


class IncorrectCredentialsError(errors.UnauthorizedError):
    """The same words for an unknown e-mail and a wrong password: which one it was is not told."""

    message = INCORRECT_CREDENTIALS


class PasswordRefusedError(errors.UnprocessableError):
    def __init__(self, reason: str) -> None:
        super().__init__([f"password: {reason}"])


class DirectoryBusyError(errors.UnavailableError):
    message = "The user directory is busy; try again shortly."
    retry_after = 1


@dataclass(frozen=True)
class Tokens:
    id_token: str
    expires_in: int


class UserDirectory(Protocol):
    def create(self, email: str, password: str, group: str) -> None:
        """A confirmed user with this password, in `group`. EmailTakenError when the e-mail is
        registered; PasswordRefusedError when the pool's policy refuses the password."""
        ...

    def sign_in(self, email: str, password: str) -> Tokens:
        """The user's tokens; IncorrectCredentialsError for an unknown e-mail or a wrong password."""
        ...


class Accounts:
    def __init__(self, directory: UserDirectory) -> None:
        self._directory = directory

    def sign_up(self, request: SignupIn) -> Account:
        self._directory.create(request.email, request.password, CUSTOMERS)
        return Account(email=request.email, role=Role.CUSTOMER)

    def token(self, request: TokenIn) -> Token:
        tokens = self._directory.sign_in(request.username.strip().lower(), request.password)
        return Token(access_token=tokens.id_token, expires_in=tokens.expires_in)
