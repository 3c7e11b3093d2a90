"""HTTP routes of the `auth` function: parse, call the accounts, shape the response."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Form
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from shopfloor.platform.http import json_response, resource_url
from shopfloor.platform.openapi import BODY_ERRORS, LOCATION, SIGNED_IN, answers
from shopfloor.shop.auth.schemas import Account, GrantType, Secret, SignupIn, Token, TokenIn, Username
from shopfloor.shop.auth.service import INCORRECT_CREDENTIALS, Accounts
from shopfloor.shop.callers import caller_of
from shopfloor.shop.wiring import accounts

router = APIGatewayHttpRouter()

MAX_BODY_BYTES = 4 * 1024
BODY_LIMITS = {"POST /auth/signup": MAX_BODY_BYTES, "POST /auth/token": MAX_BODY_BYTES}
# RFC 6749 §5.1: a response that carries a token is never cached.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

AccountsDependency = Annotated[Accounts, Depends(accounts)]


@router.post(
    "/auth/signup",
    summary="Sign up as a customer",
    description="A new account in the `customers` group. Sign in afterwards at POST /auth/token.",
    tags=["auth"],
    responses=answers(
        201,
        Account,
        description="The account.",
        headers=LOCATION,
        errors=(*BODY_ERRORS, 409, 503),
        error_descriptions={
            409: "An account with this email already exists.",
            422: "An invalid e-mail address, or a password the policy refuses (8 or more characters "
            "without white space, with a letter and a digit).",
        },
    ),
)
def sign_up(request: SignupIn, directory: AccountsDependency) -> Response[Any]:
    account = directory.sign_up(request)
    headers = {"Location": resource_url(router.current_event, "/users/me")}
    return json_response(HTTPStatus.CREATED, account.model_dump(mode="json"), headers)


@router.post(
    "/auth/token",
    summary="Sign in: the OAuth2 password grant",
    description="A form `grant_type=password&username=<email>&password=...` (what Swagger UI's "
    'Authorize sends) or JSON `{"username", "password"}`. The token goes in '
    "`Authorization: Bearer <access_token>` on every signed-in route.",
    tags=["auth"],
    responses=answers(
        200,
        Token,
        description="A bearer token.",
        errors=(*BODY_ERRORS, 401, 503),
        error_descriptions={
            401: f'`{{"message": "{INCORRECT_CREDENTIALS}"}}`: an unknown e-mail or a wrong password.'
        },
    ),
)
def token(
    username: Annotated[Username, Form(description="The e-mail address.")],
    password: Annotated[Secret, Form()],
    directory: AccountsDependency,
    grant_type: Annotated[GrantType | None, Form(description="`password`, if sent.")] = None,
) -> Response[Any]:
    issued = directory.token(TokenIn(grant_type=grant_type, username=username, password=password))
    return json_response(HTTPStatus.OK, issued.model_dump(mode="json"), NO_STORE)


@router.get(
    "/users/me",
    summary="Who is signed in",
    tags=["auth"],
    security=SIGNED_IN,
    responses=answers(200, Account, description="The caller's account and role.", errors=(401,)),
)
def me() -> Account:
    caller = caller_of(router.current_event)
    return Account(email=caller.email, role=caller.role)
