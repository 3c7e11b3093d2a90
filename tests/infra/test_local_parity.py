"""What runs locally is what deploys: the local gateway and the synthesized template agree, on the
routes and on which of them are behind the user pool's authorizer."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from infra import local
from infra.constants import STACK_NAME
from infra.dynamodb import local_table_names
from infra.local import resources
from infra.local.routing import Router
from infra.topology import BUCKETS, QUEUES, SECRETS, SERVICES, TABLES, USER_POOLS, UserPool
from tests.infra.template import (
    Template,
    function_environments,
    resources_of_type,
    signed_in_routes,
    synthesized_routes,
)

pytestmark = pytest.mark.infra

# What Lambda itself, or only the local cloud, puts in a function's environment.
LOCAL_ONLY = {
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_DYNAMODB",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_EC2_METADATA_DISABLED",
    "POWERTOOLS_LOG_LEVEL",
    "LOG_LEVEL",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "_HANDLER",
    "TZ",
    "LANG",
    "PYTHONPATH",
    "PYTHONUNBUFFERED",
}
TABLE_BY_ENV_VAR = {table.env_var: table for table in TABLES}
QUEUE_ENV_VARS = {queue.env_var for queue in QUEUES}
SECRET_ENV_VARS = {secret.env_var for secret in SECRETS}
SERVICE_ENV_VARS = {service.env_var for service in SERVICES}
BUCKET_BY_ENV_VAR = {bucket.env_var: bucket for bucket in BUCKETS}
# What a user pool and its client do for the API, as moto is asked to make them and CDK declares them.
USER_POOL_BEHAVIOUR = (
    "MfaConfiguration",
    "AdminCreateUserConfig",
    "UsernameAttributes",
    "UsernameConfiguration",
    "AccountRecoverySetting",
)
CLIENT_BEHAVIOUR = (
    "ClientName",
    "GenerateSecret",
    "SupportedIdentityProviders",
    "PreventUserExistenceErrors",
    "IdTokenValidity",
    "AccessTokenValidity",
    "EnableTokenRevocation",
)
# AdminSetUserPassword replaces a temporary password at once; moto does not expire them anyway.
TEMPORARY_PASSWORD_VALIDITY = "TemporaryPasswordValidityDays"
USER_POOL_ENV_VARS = {pool.env_var for pool in USER_POOLS}
USER_POOL_CLIENT_ENV_VARS = {pool.client_env_var for pool in USER_POOLS}


def test_the_local_gateway_serves_exactly_the_deployed_routes(template_dict: Template) -> None:
    assert local.served_routes() == synthesized_routes(template_dict)


def test_the_local_gateway_plays_the_authorizer_on_exactly_the_deployed_signed_in_routes(
    template_dict: Template,
) -> None:
    deployed = signed_in_routes(template_dict)

    assert deployed
    assert Router.from_functions().signed_in_routes() == deployed


@pytest.mark.parametrize("pool", USER_POOLS, ids=lambda pool: pool.name)
def test_the_local_user_pool_and_its_client_behave_as_the_deployed_ones(
    template_dict: Template, pool: UserPool
) -> None:
    [(pool_id, deployed_pool)] = [
        (logical_id, resource["Properties"])
        for logical_id, resource in resources_of_type(template_dict, "AWS::Cognito::UserPool").items()
        if resource["Properties"]["UserPoolName"] == f"{STACK_NAME}-{pool.name}"
    ]
    [deployed_client] = [
        resource["Properties"]
        for resource in resources_of_type(template_dict, "AWS::Cognito::UserPoolClient").values()
        if resource["Properties"]["UserPoolId"] == {"Ref": pool_id}
    ]
    local_pool = resources.user_pool_request(pool)
    local_client = resources.user_pool_client_request(pool)

    for key in USER_POOL_BEHAVIOUR:
        assert local_pool[key] == deployed_pool[key], key
    deployed_password_policy = dict(deployed_pool["Policies"]["PasswordPolicy"])
    deployed_password_policy.pop(TEMPORARY_PASSWORD_VALIDITY)
    assert local_pool["Policies"]["PasswordPolicy"] == deployed_password_policy
    for key in CLIENT_BEHAVIOUR:
        assert local_client[key] == deployed_client[key], key
    assert set(local_client["ExplicitAuthFlows"]) == set(deployed_client["ExplicitAuthFlows"])


def test_each_function_gets_the_deployed_configuration_locally(template_dict: Template) -> None:
    deployed = function_environments(template_dict)
    locally = local.function_environments()
    table_ids = set(resources_of_type(template_dict, "AWS::DynamoDB::Table"))
    queue_ids = set(resources_of_type(template_dict, "AWS::SQS::Queue"))
    secret_ids = set(resources_of_type(template_dict, "AWS::SecretsManager::Secret"))
    bucket_ids = set(resources_of_type(template_dict, "AWS::S3::Bucket"))
    user_pool_ids = set(resources_of_type(template_dict, "AWS::Cognito::UserPool"))
    client_ids = set(resources_of_type(template_dict, "AWS::Cognito::UserPoolClient"))

    assert set(locally) == set(deployed)
    for name, variables in deployed.items():
        local_variables = locally[name]
        assert set(local_variables) - set(variables) <= LOCAL_ONLY, name
        for variable, value in variables.items():
            assert variable in local_variables, f"{name} lacks {variable} locally"
            if variable in TABLE_BY_ENV_VAR:
                assert _ref(value) in table_ids, f"{name}.{variable} is not a table of the stack"
                expected = local_table_names()[TABLE_BY_ENV_VAR[variable].name]
                assert local_variables[variable] == expected
            elif variable in QUEUE_ENV_VARS:
                assert _ref(value) in queue_ids, f"{name}.{variable} is not a queue of the stack"
                assert local_variables[variable], f"{name}.{variable} is empty locally"
            elif variable in SECRET_ENV_VARS:
                assert _ref(value) in secret_ids, f"{name}.{variable} is not a secret of the stack"
                assert local_variables[variable], f"{name}.{variable} is empty locally"
            elif variable in BUCKET_BY_ENV_VAR:
                assert _ref(value) in bucket_ids, f"{name}.{variable} is not a bucket of the stack"
                expected = resources.bucket_names()[BUCKET_BY_ENV_VAR[variable].name]
                assert local_variables[variable] == expected, f"{name}.{variable}"
            elif variable in USER_POOL_ENV_VARS:
                assert _ref(value) in user_pool_ids, f"{name}.{variable} is not a user pool of the stack"
                assert local_variables[variable], f"{name}.{variable} is empty locally"
            elif variable in USER_POOL_CLIENT_ENV_VARS:
                assert _ref(value) in client_ids, f"{name}.{variable} is not a user pool client of the stack"
                assert local_variables[variable], f"{name}.{variable} is empty locally"
            elif variable in SERVICE_ENV_VARS:
                assert isinstance(value, str), f"{name}.{variable} is not a URL"
                assert urlsplit(value).scheme == "https", f"{name}.{variable} is not an https URL"
                assert local_variables[variable], f"{name}.{variable} is empty locally"
            else:
                assert local_variables[variable] == value, f"{name}.{variable}"


def _ref(value: Any) -> str:
    assert isinstance(value, dict), value
    return str(value["Ref"])
