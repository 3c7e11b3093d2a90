"""Schedules: EventBridge invokes each scheduled function at its rate; late or failed runs are not
retried for long, and end in a dead-letter queue instead of disappearing."""

from __future__ import annotations

from typing import Any

import pytest

from infra.constants import (
    SCHEDULE_MAX_EVENT_AGE_MINUTES,
    SCHEDULE_RETRY_ATTEMPTS,
    SCHEDULED_RUN_RETRY_ATTEMPTS,
)
from infra.stack import ShopfloorStage
from infra.topology import FUNCTIONS, Function
from tests.infra.template import function_logical_ids, resources_of_type

pytestmark = pytest.mark.infra

SCHEDULED = [function for function in FUNCTIONS if function.schedule_minutes]


def _rate(minutes: int) -> str:
    return f"rate({minutes} minute{'' if minutes == 1 else 's'})"


def _rule(template_dict: dict[str, Any], function: Function) -> tuple[str, dict[str, Any]]:
    arn = {"Fn::GetAtt": [function_logical_ids(template_dict)[function.name], "Arn"]}
    [(logical_id, rule)] = [
        (logical_id, rule["Properties"])
        for logical_id, rule in resources_of_type(template_dict, "AWS::Events::Rule").items()
        if any(target["Arn"] == arn for target in rule["Properties"]["Targets"])
    ]
    return logical_id, dict(rule)


def _dead_letters(stage: ShopfloorStage, function: Function) -> Any:
    """The dead-letter queue of a function's schedule, which the function's stack holds."""
    stack = stage.stack_of_function[function.name]
    return stack.resolve(stack.schedules.by_name[function.name].dead_letters.queue.queue_arn)


def test_the_offers_dispatch_runs_every_minute(template_dict: dict[str, Any]) -> None:
    [dispatch] = [function for function in FUNCTIONS if function.name == "offers-dispatch"]

    assert _rule(template_dict, dispatch)[1]["ScheduleExpression"] == "rate(1 minute)"


def test_there_is_one_schedule_rule_per_scheduled_function(template_dict: dict[str, Any]) -> None:
    """The event buses' rules (tests/infra/test_event_buses.py) match events; these run on a schedule."""
    schedule_rules = [
        rule
        for rule in resources_of_type(template_dict, "AWS::Events::Rule").values()
        if "ScheduleExpression" in rule["Properties"]
    ]

    assert SCHEDULED
    assert len(schedule_rules) == len(SCHEDULED)
    assert all("EventBusName" not in rule["Properties"] for rule in schedule_rules)


@pytest.mark.parametrize("function", SCHEDULED, ids=lambda function: function.name)
def test_a_schedule_lives_in_the_stack_of_its_function(
    stage: ShopfloorStage, templates: dict[str, dict[str, Any]], function: Function
) -> None:
    """Its rule, permission and dead-letter queue are its function's stack's, and no other stack has
    a schedule for it."""
    stack = stage.stack_of_function[function.name]

    assert set(stack.schedules.by_name) == {
        scheduled.name for scheduled in SCHEDULED if stage.stack_of_function[scheduled.name] is stack
    }
    for other in stage.function_stacks:
        assert (function.name in other.schedules.by_name) == (other is stack), other.stack_name
    own = templates[stack.stack_name]
    _rule(own, function)  # exactly one rule of its stack invokes it
    assert _dead_letters(stage, function)["Fn::GetAtt"][0] in resources_of_type(own, "AWS::SQS::Queue")


@pytest.mark.parametrize("function", SCHEDULED, ids=lambda function: function.name)
def test_a_scheduled_function_is_invoked_at_its_rate_with_bounded_retries(
    template_dict: dict[str, Any], stage: ShopfloorStage, function: Function
) -> None:
    assert function.schedule_minutes
    _, rule = _rule(template_dict, function)
    [target] = rule["Targets"]
    dead_letters = _dead_letters(stage, function)

    assert rule["ScheduleExpression"] == _rate(function.schedule_minutes)
    assert rule["State"] == "ENABLED"
    assert target["RetryPolicy"] == {
        "MaximumRetryAttempts": SCHEDULE_RETRY_ATTEMPTS,
        "MaximumEventAgeInSeconds": SCHEDULE_MAX_EVENT_AGE_MINUTES * 60,
    }
    assert target["DeadLetterConfig"] == {"Arn": dead_letters}


@pytest.mark.parametrize("function", SCHEDULED, ids=lambda function: function.name)
def test_only_its_rule_may_invoke_a_scheduled_function(
    template_dict: dict[str, Any], function: Function
) -> None:
    rule_id, _ = _rule(template_dict, function)
    function_arn = {"Fn::GetAtt": [function_logical_ids(template_dict)[function.name], "Arn"]}

    [permission] = [
        permission["Properties"]
        for permission in resources_of_type(template_dict, "AWS::Lambda::Permission").values()
        if permission["Properties"]["FunctionName"] == function_arn
    ]
    assert permission["Principal"] == "events.amazonaws.com"
    assert permission["SourceArn"] == {"Fn::GetAtt": [rule_id, "Arn"]}


@pytest.mark.parametrize("function", SCHEDULED, ids=lambda function: function.name)
def test_a_failed_scheduled_run_ends_in_the_dead_letter_queue(
    template_dict: dict[str, Any], stage: ShopfloorStage, function: Function
) -> None:
    function_ref = {"Ref": function_logical_ids(template_dict)[function.name]}
    [config] = [
        config["Properties"]
        for config in resources_of_type(template_dict, "AWS::Lambda::EventInvokeConfig").values()
        if config["Properties"]["FunctionName"] == function_ref
    ]
    dead_letters = _dead_letters(stage, function)

    assert config["MaximumRetryAttempts"] == SCHEDULED_RUN_RETRY_ATTEMPTS
    assert config["MaximumEventAgeInSeconds"] == SCHEDULE_MAX_EVENT_AGE_MINUTES * 60
    assert config["DestinationConfig"] == {"OnFailure": {"Destination": dead_letters}}
