"""The topology's user pool in moto (infra.local.resources) and the demo users (infra.local.users):
ids known before moto runs, made idempotently, with the declared policy, groups and app client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from infra.local import resources, users
from infra.local.environment import local_function_environment
from infra.local.errors import LocalCloudError
from infra.local.settings import LocalSettings
from infra.topology import FUNCTIONS, SHOP_USERS, USER_POOLS, UserPool
from tests.unit.local.moto_pools import MotoPool, cognito_client, moto_in_process, moto_pool


@pytest.fixture(scope="module")
def cognito() -> Iterator[Any]:
    for _ in moto_in_process():
        yield cognito_client()


@pytest.fixture
def aws(cognito: Any) -> None:
    """The module's moto, not the tables and queues every other unit test gets."""


@pytest.fixture
def shop(cognito: Any) -> MotoPool:
    return moto_pool(cognito)


def test_moto_gives_the_pool_and_its_client_the_ids_computed_before_it_runs(shop: MotoPool) -> None:
    assert (shop.pool_id, shop.client_id) == resources.user_pool_ids()[SHOP_USERS.name]
    described = shop.cognito.describe_user_pool(UserPoolId=shop.pool_id)["UserPool"]
    assert described["Name"] == "shopfloor-shop-users"
    assert shop.pool_id.startswith("us-east-1_")


def test_making_the_pool_again_changes_nothing(shop: MotoPool) -> None:
    again = moto_pool(shop.cognito)

    assert (again.pool_id, again.client_id) == (shop.pool_id, shop.client_id)
    pools = shop.cognito.list_user_pools(MaxResults=60)["UserPools"]
    assert [pool["Name"] for pool in pools].count("shopfloor-shop-users") == 1
    clients = shop.cognito.list_user_pool_clients(UserPoolId=shop.pool_id, MaxResults=60)
    assert [client["ClientId"] for client in clients["UserPoolClients"]] == [shop.client_id]


def test_the_pool_is_as_declared(shop: MotoPool) -> None:
    pool = shop.cognito.describe_user_pool(UserPoolId=shop.pool_id)["UserPool"]
    groups = shop.cognito.list_groups(UserPoolId=shop.pool_id)["Groups"]
    client = shop.cognito.describe_user_pool_client(UserPoolId=shop.pool_id, ClientId=shop.client_id)

    assert pool["UsernameAttributes"] == ["email"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["Policies"]["PasswordPolicy"] == {
        "MinimumLength": SHOP_USERS.password_min_length,
        "RequireUppercase": False,
        "RequireLowercase": False,
        "RequireNumbers": True,
        "RequireSymbols": False,
    }
    assert sorted(group["GroupName"] for group in groups) == sorted(SHOP_USERS.groups)
    settings = client["UserPoolClient"]
    assert "ClientSecret" not in settings
    assert settings["ExplicitAuthFlows"] == ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert settings["IdTokenValidity"] == SHOP_USERS.token_validity_minutes
    assert settings["TokenValidityUnits"]["IdToken"] == "minutes"


@pytest.mark.parametrize(
    ("password", "accepted"), [("Short-1", False), ("no-digits-here", False), ("lowercase1", True)]
)
def test_moto_applies_the_password_policy(shop: MotoPool, password: str, accepted: bool) -> None:
    email = f"policy-{len(password)}-{accepted}@example.com"
    shop.cognito.admin_create_user(
        UserPoolId=shop.pool_id, Username=email, MessageAction="SUPPRESS", UserAttributes=[]
    )

    def set_password() -> None:
        shop.cognito.admin_set_user_password(
            UserPoolId=shop.pool_id, Username=email, Password=password, Permanent=True
        )

    if accepted:
        set_password()
    else:
        with pytest.raises(ClientError, match="InvalidPasswordException"):
            set_password()


def test_a_moto_that_makes_up_ids_is_a_clear_error(cognito: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY")

    with pytest.raises(LocalCloudError, match="MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY"):
        resources.create_user_pool(cognito, UserPool(name="random-ids", groups=()))


def test_the_demo_users_are_made_once_and_sign_in_in_their_groups(shop: MotoPool) -> None:
    made = [users.create_demo_user(shop.cognito, user) for user in users.DEMO_USERS]
    again = [users.create_demo_user(shop.cognito, user) for user in users.DEMO_USERS]

    assert made == [True, True]
    assert again == [False, False]
    for user in users.DEMO_USERS:
        assert shop.tokens(user.email, user.password)["IdToken"]
        groups = shop.cognito.admin_list_groups_for_user(UserPoolId=shop.pool_id, Username=user.email)
        assert [group["GroupName"] for group in groups["Groups"]] == [user.group]
    assert [(user.email, user.group) for user in users.DEMO_USERS] == [
        ("manager@example.com", "managers"),
        ("customer@example.com", "customers"),
    ]


def test_the_function_that_administers_the_pool_gets_its_ids() -> None:
    pool_id, client_id = resources.user_pool_ids()[SHOP_USERS.name]
    for function in FUNCTIONS:
        environment = local_function_environment(function, LocalSettings())
        if function.administers is None:
            assert SHOP_USERS.env_var not in environment, function.name
            continue
        assert environment[SHOP_USERS.env_var] == pool_id
        assert environment[SHOP_USERS.client_env_var] == client_id
    assert [function.name for function in FUNCTIONS if function.administers] == ["auth"]
    assert len(USER_POOLS) == len(resources.user_pool_ids())
