"""The topology's user pool in moto, in process, as the local cloud makes it in moto server: for the
authorizer's and the user pools' unit tests. moto also serves each pool's JWKS in process, at
Cognito's own address, to `requests`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
import requests
from joserfc import jwt
from joserfc.jwk import RSAKey
from moto import mock_aws
from moto.utilities.utils import load_resource

from infra.local import resources, users
from infra.local.authorizer import Authorizer, TrustedPool
from infra.local.moto_server import ID_STRATEGIES
from infra.topology import SHOP_USERS, UserPool

REGION = "us-east-1"


def cognito_jwks_url(pool_id: str) -> str:
    return f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}/.well-known/jwks.json"


def motos_own_key() -> RSAKey:
    """The private key every moto pool signs with (moto's dummy key, kid "dummy"): it makes tokens
    with any claims whose signature moto's JWKS verifies."""
    return RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))


def signed(claims: dict[str, Any], header: dict[str, Any] | None = None, key: RSAKey | None = None) -> str:
    """A token of `claims`, signed RS256 by moto's key unless `key` is given (a header entry set to
    None is left out)."""
    fields = {"alg": "RS256", "kid": "dummy", **(header or {})}
    return jwt.encode(
        {name: value for name, value in fields.items() if value is not None}, claims, key or motos_own_key()
    )


def fetch_from_moto(url: str) -> dict[str, Any]:
    document: dict[str, Any] = requests.get(url, timeout=5).json()
    return document


@dataclass
class MotoPool:
    cognito: Any
    pool: UserPool
    pool_id: str
    client_id: str

    @property
    def trusted(self) -> TrustedPool:
        return TrustedPool(
            self.pool_id,
            self.client_id,
            resources.user_pool_issuer(self.pool_id),
            cognito_jwks_url(self.pool_id),
        )

    def tokens(self, email: str, password: str, client_id: str | None = None) -> dict[str, Any]:
        answer = self.cognito.initiate_auth(
            ClientId=client_id or self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )
        result: dict[str, Any] = answer["AuthenticationResult"]
        return result

    def id_token(self, user: users.DemoUser = users.DEMO_CUSTOMER, client_id: str | None = None) -> str:
        return str(self.tokens(user.email, user.password, client_id)["IdToken"])

    def authorizer(self, **options: Any) -> Authorizer:
        return Authorizer([self.trusted], fetch=fetch_from_moto, **options)


def moto_pool(cognito: Any, pool: UserPool = SHOP_USERS) -> MotoPool:
    pool_id, client_id = resources.create_user_pool(cognito, pool)
    return MotoPool(cognito, pool, pool_id, client_id)


def moto_in_process() -> Iterator[None]:
    """moto in process with moto server's id strategies, for a module-scoped fixture (the test
    module's `aws` replaces the tables and queues every other unit test gets)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield from _moto_in_process(monkeypatch)


def _moto_in_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    for name, value in ID_STRATEGIES.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield


def cognito_client() -> Any:
    return boto3.client("cognito-idp", region_name=REGION)


def shop_users_with_demo_users(cognito: Any) -> MotoPool:
    """The shop's pool with the demo users."""
    created = moto_pool(cognito)
    for user in users.DEMO_USERS:
        users.create_demo_user(cognito, user)
    return created
