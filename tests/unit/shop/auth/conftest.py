from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from infra.topology import SHOP_USERS
from shopfloor.shop.wiring import accounts
from tests.helpers.handlers import HandlerClient, load_handler


@pytest.fixture(autouse=True)
def user_pool(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The shop's user pool in this test's moto, as the stack declares it, and the auth function's
    builder made afresh for it."""
    cognito = boto3.client("cognito-idp")
    pool_id = cognito.create_user_pool(
        PoolName=SHOP_USERS.name,
        UsernameAttributes=["email"],
        Policies={
            "PasswordPolicy": {
                "MinimumLength": SHOP_USERS.password_min_length,
                "RequireNumbers": True,
                "RequireLowercase": False,
                "RequireUppercase": False,
                "RequireSymbols": False,
            }
        },
    )["UserPool"]["Id"]
    for group in SHOP_USERS.groups:
        cognito.create_group(UserPoolId=pool_id, GroupName=group)
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="shop",
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    monkeypatch.setenv(SHOP_USERS.env_var, pool_id)
    monkeypatch.setenv(SHOP_USERS.client_env_var, client_id)
    accounts.cache_clear()
    yield pool_id
    accounts.cache_clear()


@pytest.fixture
def auth() -> HandlerClient:
    return HandlerClient(load_handler("auth"))
