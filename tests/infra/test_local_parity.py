"""What runs locally is what deploys: the local gateway and the synthesized template agree on the
HTTP API's routes (the `ANY` ones included), on which of them are behind the JWT authorizer, and on
the pool and app client it trusts; moto's event bus, archive and rules and the deployed ones agree;
and each function gets the same configuration.

"The synthesized template" is every stack of the dev stage read as one (`template_dict`,
tests.infra.template.stage_template: each cross-stack read resolved to what it reads): the local
cloud is one Shopfloor, unchanged for its users, whichever of the stage's stacks holds each resource
deployed; test_the_parity_view_is_every_stack_of_the_dev_stage holds the view to all of them."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import pytest

from infra import local
from infra.constants import (
    API_THROTTLE_BURST_LIMIT,
    API_THROTTLE_RATE_LIMIT,
    AUTHORIZATION_HEADER,
    HTTP_API_STAGE,
)
from infra.constructs.event_buses import archive_name, bus_physical_name
from infra.dynamodb import local_table_names
from infra.local import resources
from infra.local.authorizer import bearer_token, trusted_pool
from infra.local.routing import Router
from infra.stack import STACK_PARTS, ShopfloorStage
from infra.stages import DEV
from infra.topology import (
    APP_NAME,
    BUCKETS,
    EMAIL_SENDERS,
    EVENT_BUSES,
    FUNCTIONS,
    QUEUES,
    QUEUES_BY_NAME,
    SECRETS,
    SERVICES,
    SITE,
    TABLES,
    USER_POOLS,
    EventBus,
    Rule,
    UserPool,
)
from tests.infra.template import (
    JWT,
    PUBLISHED_OUTPUT_PREFIX,
    Template,
    function_environments,
    function_logical_ids,
    http_routes,
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
EVENT_BUS_BY_ENV_VAR = {bus.env_var: bus for bus in EVENT_BUSES}
# Deployed, a sender's address and a context setting are CDK context values (cdk.json has defaults);
# locally, the topology's local values.
EMAIL_SENDER_BY_ENV_VAR = {sender.env_var: sender for sender in EMAIL_SENDERS}
CONTEXT_SETTING_BY_ENV_VAR = {
    setting.env_var: setting for function in FUNCTIONS for setting in function.context_settings
}
EVENTS_AND_MAIL_ENV_VARS = {*EVENT_BUS_BY_ENV_VAR, *EMAIL_SENDER_BY_ENV_VAR, *CONTEXT_SETTING_BY_ENV_VAR}
BUS_RULES = [(bus, rule) for bus in EVENT_BUSES for rule in bus.rules]


# The local authorizer's keys are fetched from moto only when a token arrives; any address will do.
MOTO_URL = "http://moto.invalid:5000"
IDENTITY_SOURCE_HEADER_PREFIX = "$request.header."


def test_the_parity_view_is_every_stack_of_the_dev_stage(
    stage: ShopfloorStage, templates: Mapping[str, Template], template_dict: Template
) -> None:
    """What this module compares the local cloud with, `template_dict`, is the dev stage's stacks,
    all of them, read as one: each stack's resources (under their own logical ids; one whose id
    another stack uses too, the view renames) and its outputs (but the published ones, which the
    view resolves the stacks' reads of one another with). A stack left out of the view fails here."""
    stack_names = [DEV.stack_name(part) for part in STACK_PARTS]
    stacks_of_id = Counter(
        logical_id for template in templates.values() for logical_id in template["Resources"]
    )

    assert [stack.stack_name for stack in stage.stacks] == stack_names
    assert list(templates) == stack_names
    for stack_name, template in templates.items():
        own = {
            logical_id: resource["Type"]
            for logical_id, resource in template["Resources"].items()
            if stacks_of_id[logical_id] == 1
        }
        outputs = {
            output_id
            for output_id in template.get("Outputs", {})
            if not output_id.startswith(PUBLISHED_OUTPUT_PREFIX)
        }
        assert own, f"{stack_name} has no resource of its own"
        in_view = {
            logical_id: template_dict["Resources"].get(logical_id, {}).get("Type") for logical_id in own
        }
        assert in_view == own, f"{stack_name}'s resources are not all in the parity view"
        assert outputs <= set(template_dict["Outputs"]), (
            f"{stack_name}'s outputs are not all in the parity view"
        )


def test_the_local_gateway_serves_exactly_the_deployed_routes(template_dict: Template) -> None:
    deployed = synthesized_routes(template_dict)

    assert {method for method, _ in deployed} >= {"ANY", "GET", "POST"}
    assert Router.from_functions().routes() == deployed
    assert local.served_routes() == deployed


def test_the_local_gateway_plays_the_authorizer_on_exactly_the_deployed_signed_in_routes(
    template_dict: Template,
) -> None:
    deployed = signed_in_routes(template_dict)

    assert deployed
    assert Router.from_functions().signed_in_routes() == deployed


@pytest.mark.parametrize("pool", USER_POOLS, ids=lambda pool: pool.name)
def test_the_local_authorizer_trusts_each_pool_for_its_own_app_client_as_the_deployed_one(
    template_dict: Template, pool: UserPool
) -> None:
    """Deployed, the issuer is the pool's Cognito URL and the audience its app client; locally, the
    same URL of moto's pool id (in moto's region) and moto's id of that pool's client."""
    pool_id, client_id = _deployed_pool_and_client(template_dict, pool)
    [authorizer] = [
        properties
        for properties in _authorizers(template_dict).values()
        if {"Ref": pool_id} in properties["JwtConfiguration"]["Issuer"]["Fn::Join"][1]
    ]
    local_pool = trusted_pool(pool, MOTO_URL)
    local_ids = {"AWS::Region": resources.REGION, pool_id: resources.user_pool_id(pool)}

    assert authorizer["AuthorizerType"] == JWT
    assert _rendered(authorizer["JwtConfiguration"]["Issuer"], local_ids) == local_pool.issuer
    assert authorizer["JwtConfiguration"]["Audience"] == [{"Ref": client_id}]
    assert local_pool.pool_id == resources.user_pool_id(pool)
    assert local_pool.client_id == resources.user_pool_client_id(pool)
    # The client the local authorizer takes is the one made in that pool, as deployed.
    assert resources.user_pool_client_request(pool)["UserPoolId"] == local_pool.pool_id


def test_every_signed_in_route_is_guarded_by_an_authorizer_of_a_pool_the_local_one_trusts(
    template_dict: Template,
) -> None:
    authorizers = _authorizers(template_dict)
    trusted_issuers = {trusted_pool(pool, MOTO_URL).issuer for pool in USER_POOLS}
    local_ids = {"AWS::Region": resources.REGION} | {
        _deployed_pool_and_client(template_dict, pool)[0]: resources.user_pool_id(pool) for pool in USER_POOLS
    }
    guarded = [route for route in http_routes(template_dict) if route.authorization_type == JWT]

    assert guarded
    for route in guarded:
        issuer = authorizers[route.properties["AuthorizerId"]["Ref"]]["JwtConfiguration"]["Issuer"]
        assert _rendered(issuer, local_ids) in trusted_issuers, route.key


def test_the_local_authorizer_reads_the_token_from_the_deployed_identity_source(
    template_dict: Template,
) -> None:
    for properties in _authorizers(template_dict).values():
        [source] = properties["IdentitySource"]
        assert source.startswith(IDENTITY_SOURCE_HEADER_PREFIX)
        header = source.removeprefix(IDENTITY_SOURCE_HEADER_PREFIX)

        assert header == AUTHORIZATION_HEADER
        # The HTTP API hands headers over lower-cased; the token comes raw or after "Bearer ".
        assert bearer_token([(header.lower(), "Bearer a.b.c")]) == "a.b.c"
        assert bearer_token([(header, "a.b.c")]) == "a.b.c"


def test_the_stage_is_the_default_one_the_local_events_name_with_the_declared_throttling(
    template_dict: Template,
) -> None:
    """The local gateway names HTTP_API_STAGE in its events (requestContext.stage) and plays no
    throttling: the deployed stage is held to the same constants."""
    [stage] = [
        resource["Properties"]
        for resource in resources_of_type(template_dict, "AWS::ApiGatewayV2::Stage").values()
    ]

    assert stage["StageName"] == HTTP_API_STAGE == local.STAGE
    assert stage["AutoDeploy"] is True
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] == API_THROTTLE_RATE_LIMIT
    assert stage["DefaultRouteSettings"]["ThrottlingBurstLimit"] == API_THROTTLE_BURST_LIMIT


def _authorizers(template: Template) -> dict[str, Mapping[str, Any]]:
    return {
        logical_id: resource["Properties"]
        for logical_id, resource in resources_of_type(template, "AWS::ApiGatewayV2::Authorizer").items()
    }


def _deployed_pool_and_client(template: Template, pool: UserPool) -> tuple[str, str]:
    """The logical ids of the deployed pool (named after the stage and the topology's pool) and of
    its one app client."""
    [pool_id] = [
        logical_id
        for logical_id, resource in resources_of_type(template, "AWS::Cognito::UserPool").items()
        if resource["Properties"]["UserPoolName"] == f"{DEV.prefix}-{pool.name}"
    ]
    [client_id] = [
        logical_id
        for logical_id, resource in resources_of_type(template, "AWS::Cognito::UserPoolClient").items()
        if resource["Properties"]["UserPoolId"] == {"Ref": pool_id}
    ]
    return pool_id, client_id


def _rendered(value: Any, references: Mapping[str, str]) -> str:
    """A template string (a literal, a Ref or an Fn::Join of them) with each Ref replaced by the
    local value of what it names."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"Ref"}:
        return references[value["Ref"]]
    if isinstance(value, dict) and set(value) == {"Fn::Join"}:
        separator, parts = value["Fn::Join"]
        return str(separator).join(_rendered(part, references) for part in parts)
    raise AssertionError(f"not a template string: {value!r}")


@pytest.mark.parametrize("pool", USER_POOLS, ids=lambda pool: pool.name)
def test_the_local_user_pool_and_its_client_behave_as_the_deployed_ones(
    template_dict: Template, pool: UserPool
) -> None:
    [(pool_id, deployed_pool)] = [
        (logical_id, resource["Properties"])
        for logical_id, resource in resources_of_type(template_dict, "AWS::Cognito::UserPool").items()
        if resource["Properties"]["UserPoolName"] == f"{DEV.prefix}-{pool.name}"
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
                assert _ref(value) in table_ids, f"{name}.{variable} is not a table of the stage"
                expected = local_table_names()[TABLE_BY_ENV_VAR[variable].name]
                assert local_variables[variable] == expected
            elif variable in QUEUE_ENV_VARS:
                assert _ref(value) in queue_ids, f"{name}.{variable} is not a queue of the stage"
                assert local_variables[variable], f"{name}.{variable} is empty locally"
            elif variable in SECRET_ENV_VARS:
                assert _ref(value) in secret_ids, f"{name}.{variable} is not a secret of the stage"
                assert local_variables[variable], f"{name}.{variable} is empty locally"
            elif variable in BUCKET_BY_ENV_VAR:
                assert _ref(value) in bucket_ids, f"{name}.{variable} is not a bucket of the stage"
                expected = resources.bucket_names()[BUCKET_BY_ENV_VAR[variable].name]
                assert local_variables[variable] == expected, f"{name}.{variable}"
            elif variable in USER_POOL_ENV_VARS:
                assert _ref(value) in user_pool_ids, f"{name}.{variable} is not a user pool of the stage"
                assert local_variables[variable], f"{name}.{variable} is empty locally"
            elif variable in USER_POOL_CLIENT_ENV_VARS:
                assert _ref(value) in client_ids, f"{name}.{variable} is not a user pool client of the stage"
                assert local_variables[variable], f"{name}.{variable} is empty locally"
            elif variable in EVENTS_AND_MAIL_ENV_VARS:
                _check_events_and_mail_variable(
                    template_dict, name, variable, value, local_variables[variable]
                )
            elif variable in SERVICE_ENV_VARS:
                assert isinstance(value, str), f"{name}.{variable} is not a URL"
                assert urlsplit(value).scheme == "https", f"{name}.{variable} is not an https URL"
                assert local_variables[variable], f"{name}.{variable} is empty locally"
            else:
                assert local_variables[variable] == value, f"{name}.{variable}"


def _check_events_and_mail_variable(
    template: Template, name: str, variable: str, deployed: Any, local_value: str
) -> None:
    """A bus's name is the stage's bus locally too; a sender's address and a context setting are
    CDK context values deployed (the dev stage's defaults here) and the topology's local values locally."""
    if variable in EVENT_BUS_BY_ENV_VAR:
        assert _ref(deployed) in resources_of_type(template, "AWS::Events::EventBus"), (
            f"{name}.{variable} is not an event bus of the stage"
        )
        assert local_value == resources.event_bus_name(EVENT_BUS_BY_ENV_VAR[variable]), f"{name}.{variable}"
    elif variable in EMAIL_SENDER_BY_ENV_VAR:
        identities = [
            resource["Properties"]["EmailIdentity"]
            for resource in resources_of_type(template, "AWS::SES::EmailIdentity").values()
        ]
        assert deployed in identities, f"{name}.{variable} is not an SES identity of the stage"
        sender = EMAIL_SENDER_BY_ENV_VAR[variable]
        assert local_value == resources.email_sender_address(sender), f"{name}.{variable}"
    else:
        setting = CONTEXT_SETTING_BY_ENV_VAR[variable]
        assert deployed == DEV.context_defaults()[setting.context_key], f"{name}.{variable}"
        assert local_value == setting.local_value, f"{name}.{variable}"


def _ref(value: Any) -> str:
    assert isinstance(value, dict), value
    return str(value["Ref"])


@pytest.mark.parametrize("bus", EVENT_BUSES, ids=lambda bus: bus.name)
def test_the_local_event_bus_and_its_archive_are_the_deployed_ones(
    template_dict: Template, bus: EventBus
) -> None:
    bus_id, deployed_bus = _deployed_bus(template_dict, bus)
    [deployed_archive] = [
        resource["Properties"]
        for resource in resources_of_type(template_dict, "AWS::Events::Archive").values()
        if resource["Properties"]["SourceArn"] == {"Fn::GetAtt": [bus_id, "Arn"]}
    ]
    local_archive = resources.archive_request(bus)

    # Named after the dev stage deployed (`shopfloor-dev`), after the app locally (`shopfloor`):
    # the local cloud is one Shopfloor, of no stage.
    assert deployed_bus["Name"] == bus_physical_name(DEV.prefix, bus)
    assert resources.event_bus_name(bus) == bus_physical_name(APP_NAME, bus)
    assert deployed_archive["ArchiveName"] == archive_name(bus_physical_name(DEV.prefix, bus))
    assert local_archive["ArchiveName"] == archive_name(resources.event_bus_name(bus))
    assert local_archive["RetentionDays"] == deployed_archive["RetentionDays"] == bus.archive_retention_days
    # The same events: the account's own (moto's account locally).
    deployed_pattern = _with_account(deployed_archive["EventPattern"], resources.ACCOUNT_ID)
    assert json.loads(local_archive["EventPattern"]) == deployed_pattern


@pytest.mark.parametrize(("bus", "rule"), BUS_RULES, ids=lambda item: getattr(item, "name", ""))
def test_the_local_rule_matches_and_delivers_as_the_deployed_one(
    template_dict: Template, bus: EventBus, rule: Rule
) -> None:
    bus_id, _ = _deployed_bus(template_dict, bus)
    local_rule = resources.rule_request(bus, rule)
    [deployed_rule] = [
        resource["Properties"]
        for resource in resources_of_type(template_dict, "AWS::Events::Rule").values()
        if resource["Properties"].get("EventBusName") == {"Ref": bus_id}
        and resource["Properties"].get("Name") == local_rule["Name"]
    ]
    [target] = deployed_rule["Targets"]
    consumers = [function for function in FUNCTIONS if function.consumes == rule.queue]

    assert json.loads(local_rule["EventPattern"]) == deployed_rule["EventPattern"]
    assert local_rule["State"] == deployed_rule["State"]
    # Both send to the queue the rule's consumers read: deployed, their event source's queue.
    assert consumers
    for function in consumers:
        assert target["Arn"] == _consumed_queue_arn(template_dict, function.name)
    assert resources.queue_name(QUEUES_BY_NAME[rule.queue]) == f"{resources.PREFIX}-{rule.queue}"


def _deployed_bus(template: Template, bus: EventBus) -> tuple[str, Mapping[str, Any]]:
    """The logical id and properties of the bus (the stage's buses are named after the stage)."""
    buses = resources_of_type(template, "AWS::Events::EventBus")
    [(bus_id, properties)] = [
        (logical_id, resource["Properties"])
        for logical_id, resource in buses.items()
        if resource["Properties"]["Name"] == bus_physical_name(DEV.prefix, bus)
    ]
    return bus_id, properties


def _consumed_queue_arn(template: Template, function_name: str) -> Any:
    function_id = function_logical_ids(template)[function_name]
    [mapping] = [
        resource["Properties"]
        for resource in resources_of_type(template, "AWS::Lambda::EventSourceMapping").values()
        if resource["Properties"]["FunctionName"] == {"Ref": function_id}
    ]
    return mapping["EventSourceArn"]


def _with_account(pattern: Any, account: str) -> Any:
    """An event pattern with CloudFormation's account reference replaced by `account`."""
    if pattern == {"Ref": "AWS::AccountId"}:
        return account
    if isinstance(pattern, dict):
        return {key: _with_account(value, account) for key, value in pattern.items()}
    if isinstance(pattern, list):
        return [_with_account(value, account) for value in pattern]
    return pattern


def test_cloudfront_compresses_the_pages_and_leaves_the_apis_answers_to_the_functions(
    template_dict: Template,
) -> None:
    """Locally as deployed: the pages are gzipped as CloudFront's behaviour does it
    (infra.local.compression), the API's answers by the functions' resolver alone; neither the HTTP
    API nor CloudFront's API behaviours compress."""
    (distribution,) = resources_of_type(template_dict, "AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    pages = [config["DefaultCacheBehavior"]] + [
        behavior
        for behavior in config["CacheBehaviors"]
        if behavior["PathPattern"].startswith(SITE.home_path)
    ]
    api_behaviors = [behavior for behavior in config["CacheBehaviors"] if behavior not in pages]

    assert all(behavior["Compress"] is True for behavior in pages)
    assert api_behaviors
    assert not any(behavior.get("Compress") for behavior in api_behaviors)
