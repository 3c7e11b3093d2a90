"""Accounts as a client sees them, through the local cloud: sign-up, sign-in and who am I."""

from __future__ import annotations

import uuid

import pytest
import requests

from infra.local.users import DEMO_CUSTOMER, DEMO_MANAGER
from tests.integration.shop.conftest import PASSWORD

pytestmark = pytest.mark.integration


def test_a_customer_signs_up_signs_in_and_is_known(base_url: str) -> None:
    email = f"ada-{uuid.uuid4().hex[:8]}@example.com"

    signed_up = requests.post(
        f"{base_url}/auth/signup", json={"email": email, "password": PASSWORD}, timeout=30
    )
    token = requests.post(
        f"{base_url}/auth/token",
        data={"grant_type": "password", "username": email, "password": PASSWORD},
        timeout=30,
    )
    me = requests.get(
        f"{base_url}/users/me",
        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        timeout=30,
    )

    assert (signed_up.status_code, signed_up.json()) == (201, {"email": email, "role": "customer"})
    assert token.status_code == 200
    assert token.json()["token_type"] == "bearer"
    assert (me.status_code, me.json()) == (200, {"email": email, "role": "customer"})


def test_an_email_already_registered_is_409(base_url: str) -> None:
    response = requests.post(
        f"{base_url}/auth/signup", json={"email": DEMO_CUSTOMER.email, "password": PASSWORD}, timeout=30
    )

    assert response.status_code == 409
    assert isinstance(response.json()["message"], str)


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [("ada@", PASSWORD, "email"), ("ada@example.com", "letters-only", "password")],
)
def test_an_invalid_email_or_password_is_422_naming_the_field(
    base_url: str, email: str, password: str, field: str
) -> None:
    response = requests.post(
        f"{base_url}/auth/signup", json={"email": email, "password": password}, timeout=30
    )

    assert response.status_code == 422
    assert response.json()["message"][0].startswith(f"{field}:")


@pytest.mark.parametrize(
    ("username", "password"), [(DEMO_MANAGER.email, "Wrong-password-1"), ("nobody@example.com", "Whatever-1")]
)
def test_bad_credentials_are_401_with_the_same_words(base_url: str, username: str, password: str) -> None:
    response = requests.post(
        f"{base_url}/auth/token", json={"username": username, "password": password}, timeout=30
    )

    assert (response.status_code, response.json()) == (401, {"message": "Incorrect email or password."})


def test_the_demo_manager_is_a_manager(base_url: str) -> None:
    token = requests.post(
        f"{base_url}/auth/token",
        json={"username": DEMO_MANAGER.email, "password": DEMO_MANAGER.password},
        timeout=30,
    ).json()["access_token"]

    me = requests.get(f"{base_url}/users/me", headers={"Authorization": f"Bearer {token}"}, timeout=30)

    assert me.json() == {"email": DEMO_MANAGER.email, "role": "manager"}


@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer not-a-token"])
def test_no_or_a_bad_token_is_401_in_the_envelope(base_url: str, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}

    response = requests.get(f"{base_url}/users/me", headers=headers, timeout=30)

    assert (response.status_code, response.json()) == (401, {"message": "Unauthorized"})
