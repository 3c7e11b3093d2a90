"""Event buses: each bus named after the stack, archiving every event for the declared retention; each
rule matching exactly its pattern and sending to its topology queue, with bounded retries and a
dead-letter queue that alarms; only that rule may send to the queue; only a publisher may put
events, on its bus alone. The shop's order events: orders stream -> order-events -> bus -> rule ->
order-emails -> notifier."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_events as events

from infra.constants import (
    EVENT_TARGET_MAX_EVENT_AGE_MINUTES,
    EVENT_TARGET_RETRY_ATTEMPTS,
)
from infra.constructs.event_buses import (
    TopologyRule,
    archive_arn_output_id,
    archive_name,
    archive_name_output_id,
    bus_arn_output_id,
    bus_name_output_id,
    bus_physical_name,
    rule_arn_output_id,
)
from infra.constructs.observability import RULE_LOST_EVENTS_METRIC
from infra.constructs.queues import Queues
from infra.stack import ShopfloorStack
from infra.stages import DEV
from infra.topology import (
    EVENT_BUSES,
    EVENT_BUSES_BY_NAME,
    FUNCTIONS,
    ORDER_EMAILS,
    QUEUES,
    SHOPFLOOR_BUS,
    EventBus,
    Function,
    Rule,
)
from tests.infra.template import (
    actions_on,
    function_environments,
    function_logical_ids,
    function_roles,
    function_statements,
    resources_of_type,
    roles_allowed,
    statement_actions,
    statement_resources,
)

pytestmark = pytest.mark.infra

RULES = [(bus, rule) for bus in EVENT_BUSES for rule in bus.rules]
PUBLISHERS = [function for function in FUNCTIONS if function.publishes_to]
EVENTS_PRINCIPAL = {"Service": "events.amazonaws.com"}
PUT_EVENTS = "events:PutEvents"


def _bus_arn(stack: ShopfloorStack, bus: EventBus) -> Any:
    return stack.resolve(stack.event_buses.by_name[bus.name].event_bus.event_bus_arn)


def _rule_arn(stack: ShopfloorStack, bus: EventBus, rule: Rule) -> Any:
    return stack.resolve(stack.event_buses.by_name[bus.name].rules[rule.name].rule.rule_arn)


def _rule_dead_letters_arn(stack: ShopfloorStack, bus: EventBus, rule: Rule) -> Any:
    return stack.resolve(stack.event_buses.by_name[bus.name].rules[rule.name].dead_letters.queue.queue_arn)


def _queue_arn(stack: ShopfloorStack, queue_name: str) -> Any:
    return stack.resolve(stack.queues.by_name[queue_name].queue.queue_arn)


def _resource(template_dict: Mapping[str, Any], reference: Mapping[str, Any]) -> Mapping[str, Any]:
    logical_id = reference["Ref"] if "Ref" in reference else reference["Fn::GetAtt"][0]
    return dict(template_dict["Resources"][logical_id]["Properties"])


def _allowed_statements(template_dict: Mapping[str, Any], queue_arn: Any) -> list[Mapping[str, Any]]:
    """Every Allow statement of the queue policies on one queue (given as its ARN reference)."""
    queue_ref = {"Ref": queue_arn["Fn::GetAtt"][0]}
    return [
        statement
        for policy in resources_of_type(template_dict, "AWS::SQS::QueuePolicy").values()
        if queue_ref in policy["Properties"]["Queues"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Allow"
    ]


def test_the_shop_publishes_its_order_events_on_the_shopfloor_bus() -> None:
    [rule] = SHOPFLOOR_BUS.rules

    assert [function.name for function in PUBLISHERS] == ["order-events"]
    assert (rule.name, rule.queue) == ("order-emails", ORDER_EMAILS.name)
    assert [function.name for function in FUNCTIONS if function.consumes == rule.queue] == ["notifier"]


def test_there_is_one_bus_per_topology_bus_and_each_stage_calls_its_own_shopfloor_after_itself(
    template_dict: dict[str, Any], prod_template_dict: dict[str, Any]
) -> None:
    def names(template: dict[str, Any]) -> set[str]:
        return {
            bus["Properties"]["Name"] for bus in resources_of_type(template, "AWS::Events::EventBus").values()
        }

    assert names(template_dict) == {bus_physical_name(DEV.stack_name, bus) for bus in EVENT_BUSES}
    assert "shopfloor-dev" in names(template_dict)
    assert "shopfloor-prod" in names(prod_template_dict)


def test_no_other_account_may_put_events_on_a_bus(template_dict: dict[str, Any]) -> None:
    assert resources_of_type(template_dict, "AWS::Events::EventBusPolicy") == {}
    for bus in resources_of_type(template_dict, "AWS::Events::EventBus").values():
        assert "Policy" not in bus["Properties"]


@pytest.mark.parametrize(
    ("stack_name", "bus", "expected"),
    [
        ("Shopfloor", SHOPFLOOR_BUS, "shopfloor"),
        ("ShopfloorStaging", SHOPFLOOR_BUS, "shopfloorstaging"),
        ("Shopfloor", dataclasses.replace(SHOPFLOOR_BUS, name="analytics"), "shopfloor-analytics"),
        (
            "ShopfloorStaging",
            dataclasses.replace(SHOPFLOOR_BUS, name="analytics"),
            "shopfloorstaging-analytics",
        ),
    ],
)
def test_a_bus_is_named_after_its_stack_so_two_stacks_in_one_account_do_not_collide(
    stack_name: str, bus: EventBus, expected: str
) -> None:
    assert bus_physical_name(stack_name, bus) == expected


def test_an_archive_name_longer_than_eventbridge_allows_is_refused() -> None:
    assert archive_name("shopfloor") == "shopfloor-archive"
    with pytest.raises(ValueError, match="48 characters"):
        archive_name("s" * 41)


@pytest.mark.parametrize("bus", EVENT_BUSES, ids=lambda bus: bus.name)
def test_each_bus_archives_every_event_for_the_declared_retention(
    template_dict: dict[str, Any], stack: ShopfloorStack, bus: EventBus
) -> None:
    [archive] = [
        archive["Properties"]
        for archive in resources_of_type(template_dict, "AWS::Events::Archive").values()
        if archive["Properties"]["SourceArn"] == _bus_arn(stack, bus)
    ]

    assert archive["RetentionDays"] == bus.archive_retention_days
    # Every event the account puts on the bus, whatever its source or type.
    assert archive["EventPattern"] == {"account": [{"Ref": "AWS::AccountId"}]}
    assert archive["ArchiveName"] == archive_name(bus_physical_name(DEV.stack_name, bus))
    # No KmsKeyIdentifier: CDK's "" for "no key" is refused in some regions (aws/aws-cdk#37847).
    assert "KmsKeyIdentifier" not in archive


def test_the_shopfloor_bus_keeps_its_events_90_days(
    template_dict: dict[str, Any], stack: ShopfloorStack
) -> None:
    [archive] = resources_of_type(template_dict, "AWS::Events::Archive").values()

    assert archive["Properties"]["SourceArn"] == _bus_arn(stack, SHOPFLOOR_BUS)
    assert archive["Properties"]["RetentionDays"] == 90


def _bus_rule(
    template_dict: Mapping[str, Any], stack: ShopfloorStack, bus: EventBus, rule: Rule
) -> dict[str, Any]:
    return dict(_resource(template_dict, _rule_arn(stack, bus, rule)))


def test_the_order_emails_rule_matches_the_shops_order_events_exactly(
    template_dict: dict[str, Any], stack: ShopfloorStack
) -> None:
    [rule] = SHOPFLOOR_BUS.rules

    properties = _bus_rule(template_dict, stack, SHOPFLOOR_BUS, rule)

    assert properties["EventPattern"] == {
        "source": ["shopfloor.shop"],
        "detail-type": ["OrderPlaced", "OrderStatusChanged", "OrderCancelled"],
    }


@pytest.mark.parametrize(("bus", "rule"), RULES, ids=lambda value: value.name)
def test_each_rule_is_on_its_bus_and_matches_exactly_its_pattern(
    template_dict: dict[str, Any], stack: ShopfloorStack, bus: EventBus, rule: Rule
) -> None:
    properties = _bus_rule(template_dict, stack, bus, rule)

    assert properties["EventBusName"] == stack.resolve(
        stack.event_buses.by_name[bus.name].event_bus.event_bus_name
    )
    assert properties["EventPattern"] == rule.event_pattern
    assert (properties["Name"], properties["State"]) == (rule.name, "ENABLED")
    assert "ScheduleExpression" not in properties


def test_only_the_topology_rules_are_on_a_bus(template_dict: dict[str, Any]) -> None:
    on_a_bus = [
        rule
        for rule in resources_of_type(template_dict, "AWS::Events::Rule").values()
        if "EventBusName" in rule["Properties"]
    ]

    assert sorted(rule["Properties"]["Name"] for rule in on_a_bus) == sorted(rule.name for _, rule in RULES)


@pytest.mark.parametrize(("bus", "rule"), RULES, ids=lambda value: value.name)
def test_each_rule_sends_to_its_queue_with_bounded_retries_and_a_dead_letter_queue(
    template_dict: dict[str, Any], stack: ShopfloorStack, bus: EventBus, rule: Rule
) -> None:
    [target] = _bus_rule(template_dict, stack, bus, rule)["Targets"]
    dead_letters = _resource(template_dict, _rule_dead_letters_arn(stack, bus, rule))

    assert target["Arn"] == _queue_arn(stack, rule.queue)
    assert target["RetryPolicy"] == {
        "MaximumRetryAttempts": EVENT_TARGET_RETRY_ATTEMPTS,
        "MaximumEventAgeInSeconds": EVENT_TARGET_MAX_EVENT_AGE_MINUTES * 60,
    }
    assert target["DeadLetterConfig"] == {"Arn": _rule_dead_letters_arn(stack, bus, rule)}
    assert dead_letters["SqsManagedSseEnabled"] is True
    assert "RedrivePolicy" not in dead_letters


@pytest.mark.parametrize(("bus", "rule"), RULES, ids=lambda value: value.name)
def test_each_rules_dead_letter_queue_alarms_on_its_first_message_and_notifies_the_topic(
    template_dict: dict[str, Any], stack: ShopfloorStack, bus: EventBus, rule: Rule
) -> None:
    queue_name = {"Fn::GetAtt": [_rule_dead_letters_arn(stack, bus, rule)["Fn::GetAtt"][0], "QueueName"]}
    topic = stack.resolve(stack.observability.topic.topic_arn)

    [alarm] = [
        alarm["Properties"]
        for alarm in resources_of_type(template_dict, "AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("Dimensions") == [{"Name": "QueueName", "Value": queue_name}]
    ]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")
    assert alarm["AlarmActions"] == [topic]
    assert alarm["OKActions"] == [topic]


@pytest.mark.parametrize(("bus", "rule"), RULES, ids=lambda value: value.name)
def test_each_rule_alarms_on_an_event_it_could_deliver_nowhere(
    template_dict: dict[str, Any], stack: ShopfloorStack, bus: EventBus, rule: Rule
) -> None:
    """EventBridge publishes a custom bus's rule metrics with both dimensions, EventBusName and RuleName."""
    metric = {
        "Namespace": "AWS/Events",
        "MetricName": RULE_LOST_EVENTS_METRIC,
        "Dimensions": [
            {"Name": "EventBusName", "Value": bus_physical_name(DEV.stack_name, bus)},
            {"Name": "RuleName", "Value": rule.name},
        ],
    }

    [alarm] = [
        alarm["Properties"]
        for alarm in resources_of_type(template_dict, "AWS::CloudWatch::Alarm").values()
        if [
            query["MetricStat"]["Metric"]
            for query in alarm["Properties"].get("Metrics", [])
            if "MetricStat" in query
        ]
        == [metric]
    ]
    [query] = alarm["Metrics"]
    assert query["MetricStat"]["Stat"] == "Sum"
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")
    assert (alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (1, 1)
    assert alarm["AlarmActions"] == [stack.resolve(stack.observability.topic.topic_arn)]


@pytest.mark.parametrize(("bus", "rule"), RULES, ids=lambda value: value.name)
def test_only_its_rule_may_send_to_a_rules_queue_and_dead_letter_queue(
    template_dict: dict[str, Any], stack: ShopfloorStack, bus: EventBus, rule: Rule
) -> None:
    rule_arn = _rule_arn(stack, bus, rule)

    for queue_arn in (_queue_arn(stack, rule.queue), _rule_dead_letters_arn(stack, bus, rule)):
        [allowed] = _allowed_statements(template_dict, queue_arn)
        assert allowed["Principal"] == EVENTS_PRINCIPAL
        assert allowed["Condition"] == {"ArnEquals": {"aws:SourceArn": rule_arn}}
        assert allowed["Resource"] == queue_arn
        assert "sqs:SendMessage" in statement_actions(allowed)
        assert not statement_actions(allowed) & {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:PurgeQueue"}


def test_eventbridge_may_send_to_no_queue_that_no_rule_targets(
    template_dict: dict[str, Any], stack: ShopfloorStack
) -> None:
    targeted = {_queue_arn(stack, rule.queue)["Fn::GetAtt"][0] for _, rule in RULES}
    targeted |= {_rule_dead_letters_arn(stack, bus, rule)["Fn::GetAtt"][0] for bus, rule in RULES}
    targeted |= {
        stack.resolve(schedule.dead_letters.queue.queue_arn)["Fn::GetAtt"][0]
        for schedule in stack.schedules.by_name.values()
    }

    for queue in QUEUES:
        arn = _queue_arn(stack, queue.name)
        allowed = _allowed_statements(template_dict, arn)
        assert bool(allowed) == (arn["Fn::GetAtt"][0] in targeted), queue.name
    for logical_id in resources_of_type(template_dict, "AWS::SQS::Queue"):
        allowed = _allowed_statements(template_dict, {"Fn::GetAtt": [logical_id, "Arn"]})
        assert all(statement["Principal"] == EVENTS_PRINCIPAL for statement in allowed), logical_id
        assert not allowed or logical_id in targeted, logical_id


@pytest.mark.parametrize("function", PUBLISHERS, ids=lambda function: function.name)
def test_a_publisher_may_put_events_on_its_bus_and_do_nothing_else_with_eventbridge(
    template_dict: dict[str, Any], stack: ShopfloorStack, function: Function
) -> None:
    assert function.publishes_to
    bus_arn = _bus_arn(stack, EVENT_BUSES_BY_NAME[function.publishes_to])
    events_statements = [
        statement
        for statement in function_statements(template_dict, function.name)
        if any(action.startswith("events:") for action in statement_actions(statement))
    ]

    assert actions_on(template_dict, function.name, bus_arn) == {PUT_EVENTS}
    assert [(statement_actions(s), statement_resources(s)) for s in events_statements] == [
        ({PUT_EVENTS}, [bus_arn])
    ]
    assert all("Condition" not in statement for statement in events_statements)


def test_order_events_may_put_events_on_the_shopfloor_bus(
    template_dict: dict[str, Any], stack: ShopfloorStack
) -> None:
    assert actions_on(template_dict, "order-events", _bus_arn(stack, SHOPFLOOR_BUS)) == {PUT_EVENTS}


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda function: function.name)
def test_no_other_function_may_use_eventbridge(template_dict: dict[str, Any], function: Function) -> None:
    events_actions = {
        action
        for statement in function_statements(template_dict, function.name)
        for action in statement_actions(statement)
        if action.startswith("events:")
    }

    assert events_actions == ({PUT_EVENTS} if function.publishes_to else set())


def test_no_role_but_a_publishers_may_put_events(template_dict: dict[str, Any]) -> None:
    publishers = {function.name for function in PUBLISHERS}

    assert roles_allowed(template_dict, "events:") == function_roles(template_dict, publishers)


@pytest.mark.parametrize("function", PUBLISHERS, ids=lambda function: function.name)
def test_a_publisher_is_given_its_buss_name(
    template_dict: dict[str, Any], stack: ShopfloorStack, function: Function
) -> None:
    assert function.publishes_to
    bus = EVENT_BUSES_BY_NAME[function.publishes_to]
    environment = function_environments(template_dict)[function.name]

    assert environment[bus.env_var] == stack.resolve(
        stack.event_buses.by_name[bus.name].event_bus.event_bus_name
    )


def test_order_events_finds_the_bus_in_shopfloor_event_bus_name(
    template_dict: dict[str, Any], stack: ShopfloorStack
) -> None:
    environment = function_environments(template_dict)["order-events"]

    assert environment["SHOPFLOOR_EVENT_BUS_NAME"] == {"Ref": _bus_arn(stack, SHOPFLOOR_BUS)["Fn::GetAtt"][0]}
    for name, other in function_environments(template_dict).items():
        assert name == "order-events" or "SHOPFLOOR_EVENT_BUS_NAME" not in other, name


def test_the_notifier_consumes_the_order_emails_queue(
    template_dict: dict[str, Any], stack: ShopfloorStack
) -> None:
    function_ref = {"Ref": function_logical_ids(template_dict)["notifier"]}
    [mapping] = [
        resource["Properties"]
        for resource in resources_of_type(template_dict, "AWS::Lambda::EventSourceMapping").values()
        if resource["Properties"]["FunctionName"] == function_ref
    ]

    assert mapping["EventSourceArn"] == _queue_arn(stack, ORDER_EMAILS.name)
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert (mapping["BatchSize"], mapping["ScalingConfig"]) == (
        ORDER_EMAILS.batch_size,
        {"MaximumConcurrency": ORDER_EMAILS.max_concurrency},
    )


@pytest.mark.parametrize("bus", EVENT_BUSES, ids=lambda bus: bus.name)
def test_the_outputs_name_what_a_replay_needs(
    template_dict: dict[str, Any], stack: ShopfloorStack, bus: EventBus
) -> None:
    outputs = template_dict["Outputs"]
    created = stack.event_buses.by_name[bus.name]

    assert outputs[bus_name_output_id(bus)]["Value"] == stack.resolve(created.event_bus.event_bus_name)
    assert outputs[bus_arn_output_id(bus)]["Value"] == _bus_arn(stack, bus)
    assert outputs[archive_name_output_id(bus)]["Value"] == stack.resolve(created.archive.archive_name)
    assert outputs[archive_arn_output_id(bus)]["Value"] == stack.resolve(created.archive.archive_arn)
    for rule in bus.rules:
        assert outputs[rule_arn_output_id(rule)]["Value"] == _rule_arn(stack, bus, rule)
    assert "start-replay" in outputs[archive_arn_output_id(bus)]["Description"]


def test_the_replay_outputs_of_the_shopfloor_bus_are_named_for_the_readme(
    template_dict: dict[str, Any],
) -> None:
    assert {
        "ShopfloorEventBusName",
        "ShopfloorEventBusArn",
        "ShopfloorEventArchiveName",
        "ShopfloorEventArchiveArn",
        "OrderEmailsRuleArn",
    } <= set(template_dict["Outputs"])


def test_a_rule_to_an_undeclared_queue_is_refused() -> None:
    stack = Stack(App(), "RuleCheck")
    [rule] = SHOPFLOOR_BUS.rules

    with pytest.raises(ValueError, match="does not declare"):
        TopologyRule(
            stack,
            "Rule",
            rule=dataclasses.replace(rule, queue="nowhere"),
            bus=events.EventBus(stack, "Bus"),
            queues=Queues(stack, "Queues"),
        )
