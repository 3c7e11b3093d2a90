"""What runs locally is what deploys: the local gateway and the synthesized template agree."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from infra import local
from infra.dynamodb import local_table_names
from infra.local import resources
from infra.topology import BUCKETS, QUEUES, SECRETS, SERVICES, TABLES
from tests.infra.template import Template, function_environments, resources_of_type, synthesized_routes

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


def test_the_local_gateway_serves_exactly_the_deployed_routes(template_dict: Template) -> None:
    assert local.served_routes() == synthesized_routes(template_dict)


def test_each_function_gets_the_deployed_configuration_locally(template_dict: Template) -> None:
    deployed = function_environments(template_dict)
    locally = local.function_environments()
    table_ids = set(resources_of_type(template_dict, "AWS::DynamoDB::Table"))
    queue_ids = set(resources_of_type(template_dict, "AWS::SQS::Queue"))
    secret_ids = set(resources_of_type(template_dict, "AWS::SecretsManager::Secret"))
    bucket_ids = set(resources_of_type(template_dict, "AWS::S3::Bucket"))

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
            elif variable in SERVICE_ENV_VARS:
                assert isinstance(value, str), f"{name}.{variable} is not a URL"
                assert urlsplit(value).scheme == "https", f"{name}.{variable} is not an https URL"
                assert local_variables[variable], f"{name}.{variable} is empty locally"
            else:
                assert local_variables[variable] == value, f"{name}.{variable}"


def _ref(value: Any) -> str:
    assert isinstance(value, dict), value
    return str(value["Ref"])
