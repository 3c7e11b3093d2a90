"""User pools: one per topology pool, in the data stack, named after the stage, e-mail usernames,
sign-up only through the API, the declared password policy, groups and token lives; one app client
without a secret for the password flow; and only the function that administers a pool may create
its users. What a pool is, and who may use it, is read from the stage's stacks as one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from infra.constants import (
    REFRESH_TOKEN_MIN_VALIDITY_MINUTES,
    USER_POOL_ADMIN_ACTIONS,
    USER_POOL_CLIENT_ID_OUTPUT_SUFFIX,
    USER_POOL_ID_OUTPUT_SUFFIX,
)
from infra.constructs.user_pools import client_output_id, output_id
from infra.stack import ShopfloorStage
from infra.stages import DEV
from infra.topology import FUNCTIONS, SHOP_USERS, USER_POOLS, USER_POOLS_BY_NAME, Function, UserPool
from tests.infra.template import (
    function_environments,
    function_statements,
    resources_of_type,
    statement_actions,
    statement_resources,
)

pytestmark = pytest.mark.infra

COGNITO_ACTION_PREFIX = "cognito-idp:"
pools = pytest.mark.parametrize("pool", USER_POOLS, ids=lambda pool: pool.name)


def _logical_id(stage: ShopfloorStage, pool: UserPool) -> str:
    return str(stage.data.resolve(stage.data.user_pools.by_name[pool.name].user_pool.user_pool_id)["Ref"])


def _pool(template_dict: Mapping[str, Any], stage: ShopfloorStage, pool: UserPool) -> Mapping[str, Any]:
    return dict(template_dict["Resources"][_logical_id(stage, pool)])


def _client(template_dict: Mapping[str, Any], stage: ShopfloorStage, pool: UserPool) -> Mapping[str, Any]:
    [client] = [
        resource["Properties"]
        for resource in resources_of_type(template_dict, "AWS::Cognito::UserPoolClient").values()
        if resource["Properties"]["UserPoolId"] == {"Ref": _logical_id(stage, pool)}
    ]
    return dict(client)


def test_there_is_one_user_pool_per_topology_pool_each_with_one_client(template_dict: dict[str, Any]) -> None:
    assert len(resources_of_type(template_dict, "AWS::Cognito::UserPool")) == len(USER_POOLS)
    assert len(resources_of_type(template_dict, "AWS::Cognito::UserPoolClient")) == len(USER_POOLS)
    assert resources_of_type(template_dict, "AWS::Cognito::IdentityPool") == {}


def test_the_pools_their_clients_and_groups_are_the_data_stacks(
    templates: dict[str, dict[str, Any]], stage: ShopfloorStage
) -> None:
    cognito = ("AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient", "AWS::Cognito::UserPoolGroup")

    for stack_name, template in templates.items():
        held = {resource_type: len(resources_of_type(template, resource_type)) for resource_type in cognito}
        expected = {
            "AWS::Cognito::UserPool": len(USER_POOLS),
            "AWS::Cognito::UserPoolClient": len(USER_POOLS),
            "AWS::Cognito::UserPoolGroup": sum(len(pool.groups) for pool in USER_POOLS),
        }
        assert held == (expected if stack_name == stage.data.stack_name else dict.fromkeys(cognito, 0)), (
            stack_name
        )


@pools
def test_a_pool_is_named_after_the_stage_not_the_stack_that_holds_it(
    template_dict: dict[str, Any], stage: ShopfloorStage, pool: UserPool
) -> None:
    """`Shopfloor-Dev-shop-users`: the stage's prefix, which every stack of the stage shares, so the
    pool keeps its name wherever it lives and two stages in one account never share one."""
    properties = _pool(template_dict, stage, pool)["Properties"]

    assert properties["UserPoolName"] == f"{DEV.prefix}-{pool.name}" == f"Shopfloor-Dev-{pool.name}"


@pools
def test_users_sign_in_with_their_e_mail_address_in_any_case(
    template_dict: dict[str, Any], stage: ShopfloorStage, pool: UserPool
) -> None:
    properties = _pool(template_dict, stage, pool)["Properties"]

    assert properties["UsernameAttributes"] == ["email"]
    assert "AliasAttributes" not in properties
    assert properties["UsernameConfiguration"] == {"CaseSensitive": False}


@pools
def test_users_are_created_only_by_an_administrator_that_is_the_api(
    template_dict: dict[str, Any], stage: ShopfloorStage, pool: UserPool
) -> None:
    properties = _pool(template_dict, stage, pool)["Properties"]

    assert properties["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True


@pools
def test_passwords_need_the_declared_length_and_a_digit(
    template_dict: dict[str, Any], stage: ShopfloorStage, pool: UserPool
) -> None:
    """A letter of either case is the API's check: Cognito can only require one case."""
    policy = _pool(template_dict, stage, pool)["Properties"]["Policies"]["PasswordPolicy"]

    assert policy["MinimumLength"] == pool.password_min_length
    assert policy["RequireNumbers"] is True
    assert (policy["RequireLowercase"], policy["RequireUppercase"], policy["RequireSymbols"]) == (
        False,
        False,
        False,
    )


@pools
def test_a_password_is_reset_only_by_an_administrator_and_sign_in_has_one_factor(
    template_dict: dict[str, Any], stage: ShopfloorStage, pool: UserPool
) -> None:
    properties = _pool(template_dict, stage, pool)["Properties"]

    assert properties["AccountRecoverySetting"] == {
        "RecoveryMechanisms": [{"Name": "admin_only", "Priority": 1}]
    }
    assert properties["AutoVerifiedAttributes"] == []
    assert properties["MfaConfiguration"] == "OFF"
    assert properties["UserPoolTier"] == "LITE"


@pools
def test_the_pool_has_exactly_the_declared_groups(
    template_dict: dict[str, Any], stage: ShopfloorStage, pool: UserPool
) -> None:
    groups = [
        resource["Properties"]
        for resource in resources_of_type(template_dict, "AWS::Cognito::UserPoolGroup").values()
        if resource["Properties"]["UserPoolId"] == {"Ref": _logical_id(stage, pool)}
    ]

    assert sorted(group["GroupName"] for group in groups) == sorted(pool.groups)
    assert SHOP_USERS.groups == ("managers", "customers")


@pools
def test_the_app_client_has_no_secret_and_only_the_password_flow(
    template_dict: dict[str, Any], stage: ShopfloorStage, pool: UserPool
) -> None:
    client = _client(template_dict, stage, pool)

    assert client["GenerateSecret"] is False
    # Cognito always allows refreshing; nothing else than USER_PASSWORD_AUTH is enabled.
    assert set(client["ExplicitAuthFlows"]) == {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    assert client["AllowedOAuthFlowsUserPoolClient"] is False
    for oauth in ("AllowedOAuthFlows", "AllowedOAuthScopes", "CallbackURLs", "LogoutURLs"):
        assert oauth not in client, oauth
    assert client["SupportedIdentityProviders"] == ["COGNITO"]


@pools
def test_an_unknown_user_and_a_wrong_password_look_alike(
    template_dict: dict[str, Any], stage: ShopfloorStage, pool: UserPool
) -> None:
    assert _client(template_dict, stage, pool)["PreventUserExistenceErrors"] == "ENABLED"


@pools
def test_tokens_live_as_the_topology_declares(
    template_dict: dict[str, Any], stage: ShopfloorStage, pool: UserPool
) -> None:
    client = _client(template_dict, stage, pool)

    assert client["TokenValidityUnits"] == {
        "AccessToken": "minutes",
        "IdToken": "minutes",
        "RefreshToken": "minutes",
    }
    assert client["IdTokenValidity"] == client["AccessTokenValidity"] == pool.token_validity_minutes
    # No route hands a refresh token out: as short as Cognito allows, never shorter than the others.
    assert client["RefreshTokenValidity"] == max(
        REFRESH_TOKEN_MIN_VALIDITY_MINUTES, pool.token_validity_minutes
    )
    assert client["EnableTokenRevocation"] is True


@pools
def test_in_prod_the_pool_and_its_groups_are_retained_and_protected(
    prod_template_dict: dict[str, Any], prod_stage: ShopfloorStage, pool: UserPool
) -> None:
    resource = _pool(prod_template_dict, prod_stage, pool)
    groups = resources_of_type(prod_template_dict, "AWS::Cognito::UserPoolGroup").values()

    assert (resource["DeletionPolicy"], resource["UpdateReplacePolicy"]) == ("Retain", "Retain")
    assert resource["Properties"]["DeletionProtection"] == "ACTIVE"
    assert {group["DeletionPolicy"] for group in groups} == {"Retain"}


def test_dev_deletes_its_pools(template_dict: dict[str, Any]) -> None:
    created = [
        *resources_of_type(template_dict, "AWS::Cognito::UserPool").values(),
        *resources_of_type(template_dict, "AWS::Cognito::UserPoolGroup").values(),
    ]

    assert {resource["DeletionPolicy"] for resource in created} == {"Delete"}
    pools_created = resources_of_type(template_dict, "AWS::Cognito::UserPool").values()
    assert {pool["Properties"]["DeletionProtection"] for pool in pools_created} == {"INACTIVE"}


@pools
def test_the_pool_id_and_its_client_id_are_outputs_of_the_data_stack(
    templates: dict[str, dict[str, Any]], stage: ShopfloorStage, pool: UserPool
) -> None:
    created = stage.data.user_pools.by_name[pool.name]
    outputs = templates[stage.data.stack_name]["Outputs"]

    assert output_id(pool).endswith(USER_POOL_ID_OUTPUT_SUFFIX)
    assert client_output_id(pool).endswith(USER_POOL_CLIENT_ID_OUTPUT_SUFFIX)
    assert outputs[output_id(pool)]["Value"] == stage.data.resolve(created.user_pool.user_pool_id)
    assert outputs[client_output_id(pool)]["Value"] == stage.data.resolve(created.client.user_pool_client_id)


def test_the_auth_function_administers_the_shop_users() -> None:
    assert [function.name for function in FUNCTIONS if function.administers] == ["auth"]
    assert next(function for function in FUNCTIONS if function.name == "auth").administers == SHOP_USERS.name


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda function: function.name)
def test_only_the_administering_function_may_act_on_a_pool_and_only_to_sign_users_up(
    template_dict: dict[str, Any], stage: ShopfloorStage, function: Function
) -> None:
    cognito_statements = [
        statement
        for statement in function_statements(template_dict, function.name)
        if any(action.startswith(COGNITO_ACTION_PREFIX) for action in statement_actions(statement))
    ]

    if function.administers is None:
        assert cognito_statements == []
        return
    pool = stage.data.user_pools.by_name[function.administers].user_pool
    [statement] = cognito_statements
    assert statement["Effect"] == "Allow"
    assert statement_actions(statement) == set(USER_POOL_ADMIN_ACTIONS)
    assert statement_resources(statement) == [stage.data.resolve(pool.user_pool_arn)]


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda function: function.name)
def test_only_the_administering_function_knows_the_pool_and_its_client(
    template_dict: dict[str, Any], stage: ShopfloorStage, function: Function
) -> None:
    environment = function_environments(template_dict)[function.name]
    pool_variables = {variable for pool in USER_POOLS for variable in (pool.env_var, pool.client_env_var)}

    if function.administers is None:
        assert not pool_variables & set(environment)
        return
    pool = USER_POOLS_BY_NAME[function.administers]
    created = stage.data.user_pools.by_name[pool.name]
    assert environment[pool.env_var] == stage.data.resolve(created.user_pool.user_pool_id)
    assert environment[pool.client_env_var] == stage.data.resolve(created.client.user_pool_client_id)


def test_the_shop_functions_read_the_pool_and_client_ids_from_these_variables() -> None:
    assert (SHOP_USERS.env_var, SHOP_USERS.client_env_var) == ("SHOP_USERS_POOL_ID", "SHOP_USERS_CLIENT_ID")
