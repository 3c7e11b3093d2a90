"""What clients send and receive for accounts and tokens."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from shopfloor.shop.callers import Role

MAX_EMAIL_LENGTH = 254
# An address the user pool takes as a username: ASCII, a local part that starts with a letter, a
# digit or `_`, and a domain whose last label is 2 or more letters.
EMAIL_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"
# The pool's policy (at least 8 characters, a digit) plus a letter, which only the API can ask for;
# no white space, which the pool refuses at either end of a password.
PASSWORD_PATTERN = r"^\S*([A-Za-z]\S*[0-9]|[0-9]\S*[A-Za-z])\S*$"
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256

Email = Annotated[
    str,
    Field(
        min_length=6,
        max_length=MAX_EMAIL_LENGTH,
        pattern=EMAIL_PATTERN,
        description="An e-mail address; kept in lower case.",
    ),
    AfterValidator(str.lower),
]
Password = Annotated[
    str,
    Field(
        min_length=MIN_PASSWORD_LENGTH,
        max_length=MAX_PASSWORD_LENGTH,
        pattern=PASSWORD_PATTERN,
        description="8 to 256 characters, no white space, with at least one letter and one digit.",
    ),
]


class SignupIn(BaseModel):
    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={"examples": [{"email": "ada@example.com", "password": "Lovelace-1815"}]},
    )

    email: Email
    password: Password


class Account(BaseModel):
    email: str
    role: Role


GrantType = Literal["password"]
Username = Annotated[str, Field(min_length=1, max_length=MAX_EMAIL_LENGTH)]
Secret = Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)]


class TokenIn(BaseModel):
    """The OAuth2 password grant's fields (RFC 6749 §4.3), as a form (what Swagger UI's Authorize
    sends, with `grant_type=password`) or as JSON. Other fields (scope, client_id) are ignored."""

    grant_type: GrantType | None = None
    username: Username
    password: Secret


class Token(BaseModel):
    access_token: str = Field(description="Send it as `Authorization: Bearer <access_token>`.")
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires.")
