"""Rollout: in prod every function deploys through its live alias with CodeDeploy, and rolls back by
itself when its own alarms fire; what invokes a function invokes that alias. Each stack of functions
deploys its own (`stack.rollout`: an application, a role, the canary's config), the deployment group
of each function in the function's stack, on that stack's alarms. Dev deploys at once: no alias, no
deployment."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from infra.constants import LIVE_ALIAS
from infra.constructs.rollout import api_function_names
from infra.stack import DATA, PLATFORM, STACK_PARTS, ShopfloorStage
from infra.stages import PROD
from infra.topology import FUNCTIONS, Function
from tests.infra.template import (
    GET_STACK_OUTPUT,
    Template,
    function_logical_ids,
    http_routes,
    resources_of_type,
)

pytestmark = pytest.mark.infra

DEPLOYMENT_GROUP = "AWS::CodeDeploy::DeploymentGroup"
CONSUMER_DEPLOYMENT_CONFIG = "CodeDeployDefault.LambdaLinear10PercentEvery1Minute"
CODEDEPLOY = "AWS::CodeDeploy::"
API_FUNCTIONS = [function for function in FUNCTIONS if function.name in api_function_names()]
OTHER_FUNCTIONS = [function for function in FUNCTIONS if function.name not in api_function_names()]
# The stacks of functions (the contexts' and the edge), each with its own rollout in prod.
FUNCTION_STACK_PARTS = [part for part in STACK_PARTS if part not in {DATA, PLATFORM}]


def _referenced(value: Any) -> Iterator[str]:
    """The logical ids a property's value refers to (Ref, Fn::GetAtt), however deep."""
    if isinstance(value, dict):
        if "Ref" in value:
            yield value["Ref"]
        if "Fn::GetAtt" in value:
            yield value["Fn::GetAtt"][0]
        for item in value.values():
            yield from _referenced(item)
    elif isinstance(value, list):
        for item in value:
            yield from _referenced(item)


def referenced(value: Any) -> set[str]:
    return set(_referenced(value))


def live_aliases(template: Template) -> dict[str, str]:
    """The logical id of each function's live alias, by function name."""
    names = {logical_id: name for name, logical_id in function_logical_ids(template).items()}
    return {
        names[alias["Properties"]["FunctionName"]["Ref"]]: logical_id
        for logical_id, alias in resources_of_type(template, "AWS::Lambda::Alias").items()
        if alias["Properties"]["Name"] == LIVE_ALIAS
    }


def invoked(template: Template) -> dict[str, str]:
    """What invoking each function means in this template: its live alias, or the function."""
    return {**function_logical_ids(template), **live_aliases(template)}


def deployment_group_id(template: Template, function: Function) -> str:
    """The logical id of the deployment group that moves the function's live alias."""
    alias = template["Resources"][live_aliases(template)[function.name]]
    return str(alias["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]["DeploymentGroupName"]["Ref"])


def deployment_group(template: Template, function: Function) -> dict[str, Any]:
    return dict(template["Resources"][deployment_group_id(template, function)]["Properties"])


def codedeploy_resources(template: Template) -> dict[str, str]:
    """The type of each CodeDeploy resource of a template, by logical id."""
    return {
        logical_id: resource["Type"]
        for logical_id, resource in template["Resources"].items()
        if resource["Type"].startswith(CODEDEPLOY)
    }


def test_prod_has_one_deployment_group_per_function_and_dev_none(
    template_dict: dict[str, Any],
    templates: dict[str, dict[str, Any]],
    prod_template_dict: dict[str, Any],
    stage: ShopfloorStage,
    prod_stage: ShopfloorStage,
) -> None:
    """Changed with the split into stacks: an application (and a role, and the canary's config) per
    stack of functions, not one for the stage."""
    assert PROD.canary is not None
    assert set(live_aliases(prod_template_dict)) == {function.name for function in FUNCTIONS}
    assert len(resources_of_type(prod_template_dict, DEPLOYMENT_GROUP)) == len(FUNCTIONS)
    assert len(resources_of_type(prod_template_dict, "AWS::CodeDeploy::Application")) == len(
        prod_stage.function_stacks
    )
    assert len(resources_of_type(prod_template_dict, "AWS::CodeDeploy::DeploymentConfig")) == len(
        prod_stage.function_stacks
    )
    assert all(stack.rollout is not None for stack in prod_stage.function_stacks)

    assert {name: codedeploy_resources(template) for name, template in templates.items()} == {
        name: {} for name in templates
    }
    assert all(stack.rollout is None for stack in stage.function_stacks)
    assert resources_of_type(template_dict, "AWS::Lambda::Alias") == {}
    assert resources_of_type(template_dict, "AWS::Lambda::Version") == {}


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda function: function.name)
def test_a_prod_functions_deployment_is_its_own_stacks_with_that_stacks_application_role_and_alarms(
    prod_templates: dict[str, dict[str, Any]], prod_stage: ShopfloorStage, function: Function
) -> None:
    """A deployment of a context's function is its context's stack's alone: its group, the
    application and role it uses and the alarms it rolls back on are resources of the function's
    stack (no cross-stack read), the alarms that stack's observability made for the function."""
    stack = prod_stage.stack_of_function[function.name]
    template = prod_templates[stack.stack_name]
    resources = template["Resources"]
    group_id = deployment_group_id(template, function)
    group = resources[group_id]["Properties"]
    rollback = stack.observability.rollback_alarms[function.name]
    assert stack.rollout is not None

    assert function.name in stack.functions.by_name
    assert GET_STACK_OUTPUT not in json.dumps(group)
    assert group["ApplicationName"] == stack.resolve(stack.rollout.application.application_name)
    assert resources[group["ApplicationName"]["Ref"]]["Type"] == "AWS::CodeDeploy::Application"
    assert group["ServiceRoleArn"] == stack.resolve(stack.rollout.role.role_arn)
    assert [alarm["Name"] for alarm in group["AlarmConfiguration"]["Alarms"]] == [
        stack.resolve(rollback.errors.alarm_name),
        stack.resolve(rollback.duration.alarm_name),
    ]
    assert {resources[alarm["Name"]["Ref"]]["Type"] for alarm in group["AlarmConfiguration"]["Alarms"]} == {
        "AWS::CloudWatch::Alarm"
    }
    assert [name for name, other in prod_templates.items() if group_id in other["Resources"]] == [
        stack.stack_name
    ]


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda function: function.name)
def test_a_prod_deployment_rolls_back_on_failure_and_on_the_functions_errors_and_duration_alarms(
    prod_template_dict: dict[str, Any], function: Function
) -> None:
    group = deployment_group(prod_template_dict, function)
    alarms = [
        prod_template_dict["Resources"][alarm["Name"]["Ref"]]["Properties"]
        for alarm in group["AlarmConfiguration"]["Alarms"]
    ]
    watched = {
        (query["MetricStat"]["Metric"]["MetricName"], query["MetricStat"]["Stat"])
        for alarm in alarms
        for query in alarm["Metrics"]
    }
    dimensions = [
        dimension
        for alarm in alarms
        for query in alarm["Metrics"]
        for dimension in query["MetricStat"]["Metric"]["Dimensions"]
    ]
    function_id = function_logical_ids(prod_template_dict)[function.name]

    assert group["AutoRollbackConfiguration"] == {
        "Enabled": True,
        "Events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
    }
    assert group["AlarmConfiguration"]["Enabled"] is True
    assert watched == {("Errors", "Sum"), ("Duration", "p99")}
    assert dimensions == [{"Name": "FunctionName", "Value": {"Ref": function_id}}] * 2


@pytest.mark.parametrize("function", API_FUNCTIONS, ids=lambda function: function.name)
def test_a_prod_api_function_deploys_as_the_stages_canary(
    prod_template_dict: dict[str, Any], function: Function
) -> None:
    assert PROD.canary is not None
    config_id = deployment_group(prod_template_dict, function)["DeploymentConfigName"]["Ref"]
    config = prod_template_dict["Resources"][config_id]["Properties"]

    assert config["ComputePlatform"] == "Lambda"
    assert config["TrafficRoutingConfig"] == {
        "Type": "TimeBasedCanary",
        "TimeBasedCanary": {"CanaryPercentage": PROD.canary.percent, "CanaryInterval": PROD.canary.minutes},
    }
    assert (PROD.canary.percent, PROD.canary.minutes) == (10, 5)


@pytest.mark.parametrize("function", OTHER_FUNCTIONS, ids=lambda function: function.name)
def test_a_prod_consumer_or_scheduled_function_shifts_ten_percent_a_minute(
    prod_template_dict: dict[str, Any], function: Function
) -> None:
    assert function.consumes or function.streams_from or function.schedule_minutes
    assert (
        deployment_group(prod_template_dict, function)["DeploymentConfigName"] == CONSUMER_DEPLOYMENT_CONFIG
    )


@pytest.mark.parametrize("stage_name", ["dev", "prod"])
def test_the_api_invokes_the_live_alias_in_prod_and_the_function_in_dev(
    template_dict: dict[str, Any], prod_template_dict: dict[str, Any], stage_name: str
) -> None:
    template = prod_template_dict if stage_name == "prod" else template_dict
    targets = set(invoked(template).values())
    integrations = {
        route.key: referenced(template["Resources"][route.integration_id]["Properties"]["IntegrationUri"])
        for route in http_routes(template)
    }
    permissions = [
        referenced(permission["Properties"]["FunctionName"])
        for permission in resources_of_type(template, "AWS::Lambda::Permission").values()
        if permission["Properties"]["Principal"] == "apigateway.amazonaws.com"
    ]

    assert integrations
    assert {key: ids for key, ids in integrations.items() if len(ids) != 1 or not ids <= targets} == {}
    assert len(permissions) == len(API_FUNCTIONS)
    assert {frozenset(ids) for ids in permissions} == {
        frozenset({invoked(template)[function.name]}) for function in API_FUNCTIONS
    }


@pytest.mark.parametrize("stage_name", ["dev", "prod"])
def test_event_sources_and_the_schedule_invoke_the_live_alias_in_prod_and_the_function_in_dev(
    template_dict: dict[str, Any], prod_template_dict: dict[str, Any], stage_name: str
) -> None:
    template = prod_template_dict if stage_name == "prod" else template_dict
    targets = invoked(template)
    consumers = {function.name for function in FUNCTIONS if function.consumes or function.streams_from}
    scheduled = {function.name for function in FUNCTIONS if function.schedule_minutes}
    mappings = [
        referenced(mapping["Properties"]["FunctionName"])
        for mapping in resources_of_type(template, "AWS::Lambda::EventSourceMapping").values()
    ]
    schedule_targets = [
        referenced(target["Arn"])
        for rule in resources_of_type(template, "AWS::Events::Rule").values()
        if "ScheduleExpression" in rule["Properties"]
        for target in rule["Properties"]["Targets"]
    ]
    async_settings = [
        referenced(config["Properties"].get("Qualifier", "$LATEST"))
        for config in resources_of_type(template, "AWS::Lambda::EventInvokeConfig").values()
    ]

    assert consumers
    assert scheduled
    assert sorted(map(sorted, mappings)) == sorted([targets[name]] for name in consumers)
    assert sorted(map(sorted, schedule_targets)) == sorted([targets[name]] for name in scheduled)
    if stage_name == "prod":
        assert sorted(map(sorted, async_settings)) == sorted([targets[name]] for name in scheduled)
    else:
        assert async_settings == [set()] * len(scheduled)


@pytest.mark.parametrize("part", FUNCTION_STACK_PARTS)
def test_codedeploy_may_move_the_live_aliases_of_its_stack_and_no_other(
    prod_templates: dict[str, dict[str, Any]], prod_stage: ShopfloorStage, part: str
) -> None:
    """Changed with the split into stacks: a deployment role per stack of functions, which may move
    that stack's live aliases, every one of them, and no other."""
    [stack] = [stack for stack in prod_stage.function_stacks if stack.node.id == part]
    template = prod_templates[stack.stack_name]
    groups = resources_of_type(template, DEPLOYMENT_GROUP).values()
    [role] = {group["Properties"]["ServiceRoleArn"]["Fn::GetAtt"][0] for group in groups}
    statements = [
        statement
        for policy in resources_of_type(template, "AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    on_lambda = [statement for statement in statements if "lambda:UpdateAlias" in statement["Action"]]
    aliases = live_aliases(template)

    assert set(aliases) == set(stack.functions.by_name)
    assert len(groups) == len(aliases)
    assert "ManagedPolicyArns" not in template["Resources"][role]["Properties"]
    assert [referenced(statement["Resource"]) for statement in on_lambda] == [set(aliases.values())]
    assert GET_STACK_OUTPUT not in json.dumps(on_lambda)
