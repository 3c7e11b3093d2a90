"""The auth function as a client sees it: sign-up, sign-in (form or JSON) and who am I."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest

from tests.helpers.handlers import HandlerClient, Reply
from tests.unit.shop.claims import CUSTOMER, MANAGER

PASSWORD = "Coffee-lover-1"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def sign_up(auth: HandlerClient, email: str = "ada@example.com", password: str = PASSWORD) -> Reply:
    return auth.post("/auth/signup", body={"email": email, "password": password})


def token_claims(token: str) -> dict[str, Any]:
    """What the token says (its signature is the authorizer's business: tests/unit/local)."""
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


class TestSignUp:
    def test_a_new_customer_is_created(self, auth: HandlerClient, user_pool: str) -> None:
        reply = sign_up(auth, email="Ada@Example.com")

        assert reply.status == 201
        assert reply.json() == {"email": "ada@example.com", "role": "customer"}
        assert reply.headers["Location"] == "https://api.example.com/users/me"
        groups = boto3.client("cognito-idp").admin_list_groups_for_user(
            UserPoolId=user_pool, Username="ada@example.com"
        )["Groups"]
        assert [group["GroupName"] for group in groups] == ["customers"]

    def test_an_email_already_registered_is_409(self, auth: HandlerClient) -> None:
        sign_up(auth)

        reply = sign_up(auth, email="ADA@example.com")

        assert reply.status == 409
        assert reply.json() == {"message": "An account with this email already exists."}

    @pytest.mark.parametrize(
        ("email", "password", "field"),
        [
            ("not-an-email", PASSWORD, "email"),
            ("ada@example", PASSWORD, "email"),
            ("ada@example.com", "short-1", "password"),
            ("ada@example.com", "no-digits-here", "password"),
            ("ada@example.com", "1234567890", "password"),
            ("ada@example.com", "with space 1", "password"),
        ],
    )
    def test_an_invalid_email_or_password_is_422_naming_the_field(
        self, auth: HandlerClient, email: str, password: str, field: str
    ) -> None:
        reply = sign_up(auth, email=email, password=password)

        assert reply.status == 422
        assert [message.split(":")[0] for message in reply.json()["message"]] == [field]

    def test_a_refused_sign_up_leaves_the_email_free(self, auth: HandlerClient) -> None:
        sign_up(auth, password="short-1")

        assert sign_up(auth).status == 201

    def test_no_body_is_400(self, auth: HandlerClient) -> None:
        reply = auth.post("/auth/signup", raw_body="", headers={"Content-Type": "application/json"})

        assert reply.status == 400
        assert reply.json() == {"message": "No input data provided"}


class TestToken:
    def test_a_form_password_grant_answers_a_bearer_token(self, auth: HandlerClient) -> None:
        sign_up(auth)
        form = urlencode({"grant_type": "password", "username": "ada@example.com", "password": PASSWORD})

        reply = auth.post("/auth/token", raw_body=form, headers=FORM)

        assert reply.status == 200
        body = reply.json()
        assert body["token_type"] == "bearer"
        assert body["expires_in"] > 0
        assert reply.headers["Cache-Control"] == "no-store"
        claims = token_claims(body["access_token"])
        assert claims["email"] == "ada@example.com"
        assert claims["token_use"] == "id"
        assert claims["cognito:groups"] == ["customers"]

    def test_json_credentials_answer_a_token_too(self, auth: HandlerClient) -> None:
        sign_up(auth)

        reply = auth.post("/auth/token", body={"username": "ADA@example.com", "password": PASSWORD})

        assert reply.status == 200
        assert token_claims(reply.json()["access_token"])["email"] == "ada@example.com"

    @pytest.mark.parametrize(
        ("username", "password"),
        [("ada@example.com", "Wrong-password-1"), ("nobody@example.com", PASSWORD)],
    )
    def test_a_wrong_password_and_an_unknown_email_are_the_same_401(
        self, auth: HandlerClient, username: str, password: str
    ) -> None:
        sign_up(auth)

        reply = auth.post("/auth/token", body={"username": username, "password": password})

        assert reply.status == 401
        assert reply.json() == {"message": "Incorrect email or password."}

    def test_another_grant_type_is_422(self, auth: HandlerClient) -> None:
        form = urlencode({"grant_type": "client_credentials", "username": "a@example.com", "password": "x"})

        reply = auth.post("/auth/token", raw_body=form, headers=FORM)

        assert reply.status == 422
        assert reply.json()["message"][0].startswith("grant_type:")

    def test_missing_fields_are_422_naming_them(self, auth: HandlerClient) -> None:
        reply = auth.post("/auth/token", body={"username": "ada@example.com"})

        assert reply.status == 422
        assert reply.json() == {"message": ["password: Field required"]}


class TestMe:
    @pytest.mark.parametrize(("claims", "role"), [(CUSTOMER, "customer"), (MANAGER, "manager")])
    def test_the_caller_and_their_role(self, auth: HandlerClient, claims: dict[str, str], role: str) -> None:
        reply = auth.get("/users/me", claims=claims)

        assert reply.status == 200
        assert reply.json() == {"email": claims["email"], "role": role}

    def test_no_claims_is_401(self, auth: HandlerClient) -> None:
        reply = auth.get("/users/me")

        assert reply.status == 401
        assert reply.json() == {"message": "Unauthorized."}
