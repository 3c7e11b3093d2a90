"""Event buses: each bus named after the stage, archiving every event for the declared retention; each
rule matching exactly its pattern and sending to its topology queue, with bounded retries and a
dead-letter queue that alarms; only that rule may send to the queue; only a publisher may put
events, on its bus alone. The shop's order events: orders stream -> order-events -> bus -> rule ->
order-emails -> notifier.

The buses and their archives are the data stack's (the archive is data); a rule is the stack's that
holds its queue, with its consumers (the order-emails rule: the shop's). What does not depend on
where each end lives is read from the dev stage's stacks as one (`template_dict`)."""

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
from infra.stack import DATA, FunctionsStack, ShopfloorStage
from infra.stages import DEV
from infra.topology import (
    APP_NAME,
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
    stack_reads,
    statement_actions,
    statement_resources,
)

pytestmark = pytest.mark.infra

RULES = [(bus, rule) for bus in EVENT_BUSES for rule in bus.rules]
PUBLISHERS = [function for function in FUNCTIONS if function.publishes_to]
EVENTS_PRINCIPAL = {"Service": "events.amazonaws.com"}
PUT_EVENTS = "events:PutEvents"


def _bus_arn(stage: ShopfloorStage, bus: EventBus) -> Any:
    return stage.data.resolve(stage.data.event_buses.by_name[bus.name].event_bus.event_bus_arn)


def _bus_name(stage: ShopfloorStage, bus: EventBus) -> Any:
    return stage.data.resolve(stage.data.event_buses.by_name[bus.name].event_bus.event_bus_name)


def _rule_stack(stage: ShopfloorStage, rule: Rule) -> FunctionsStack:
    """The stack that holds the rule (and the queue it sends to)."""
    [stack] = [stack for stack in stage.function_stacks if rule.name in stack.event_rules.by_name]
    return stack


def _rule_arn(stage: ShopfloorStage, rule: Rule) -> Any:
    stack = _rule_stack(stage, rule)
    return stack.resolve(stack.event_rules.by_name[rule.name].rule.rule_arn)


def _rule_dead_letters_arn(stage: ShopfloorStage, rule: Rule) -> Any:
    stack = _rule_stack(stage, rule)
    return stack.resolve(stack.event_rules.by_name[rule.name].dead_letters.queue.queue_arn)


def _queue_arn(stage: ShopfloorStage, queue_name: str) -> Any:
    [stack] = [stack for stack in stage.function_stacks if queue_name in stack.queues.by_name]
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

    assert names(template_dict) == {bus_physical_name(DEV.prefix, bus) for bus in EVENT_BUSES}
    assert "shopfloor-dev" in names(template_dict)
    assert "shopfloor-prod" in names(prod_template_dict)


def test_no_other_account_may_put_events_on_a_bus(template_dict: dict[str, Any]) -> None:
    assert resources_of_type(template_dict, "AWS::Events::EventBusPolicy") == {}
    for bus in resources_of_type(template_dict, "AWS::Events::EventBus").values():
        assert "Policy" not in bus["Properties"]


def test_the_buses_and_their_archives_are_the_data_stacks_and_no_rule_is(
    templates: dict[str, dict[str, Any]],
) -> None:
    """The archive is data: it stays with the data stack, which references no other stack, and so
    holds no rule (a rule targets a queue of the stack of its consumers)."""
    for stack_name, template in templates.items():
        holds_data = stack_name == DEV.stack_name(DATA)
        buses = resources_of_type(template, "AWS::Events::EventBus")
        archives = resources_of_type(template, "AWS::Events::Archive")
        assert len(buses) == len(archives) == (len(EVENT_BUSES) if holds_data else 0), stack_name
        if holds_data:
            assert resources_of_type(template, "AWS::Events::Rule") == {}


@pytest.mark.parametrize(("bus", "rule"), RULES, ids=lambda value: value.name)
def test_each_rule_is_in_the_stack_of_its_queue_and_its_consumers_and_there_alone(
    templates: dict[str, dict[str, Any]], stage: ShopfloorStage, bus: EventBus, rule: Rule
) -> None:
    """The order-emails rule, its dead-letter queue and the queue it sends to are the shop's, with the
    notifier; its bus is the data stack's, which the rule reads from there."""
    stack = _rule_stack(stage, rule)
    consumers = [function for function in FUNCTIONS if function.consumes == rule.queue]
    rule_id = _rule_arn(stage, rule)["Fn::GetAtt"][0]
    holding = [
        stack_name
        for stack_name, template in templates.items()
        if template["Resources"].get(rule_id, {}).get("Type") == "AWS::Events::Rule"
    ]

    assert consumers
    assert {stage.stack_of_function[function.name] for function in consumers} == {stack}
    assert rule.queue in stack.queues.by_name
    assert stack.event_rules.bus_of[rule.name] is stage.data.event_buses.by_name[bus.name]
    assert holding == [stack.stack_name]
    assert stack_reads(templates[stack.stack_name]["Resources"][rule_id]) == {stage.data.stack_name}
    assert _rule_dead_letters_arn(stage, rule)["Fn::GetAtt"][0] in templates[stack.stack_name]["Resources"]


def test_the_order_emails_rule_is_the_shops_and_no_other_stack_holds_a_rule(stage: ShopfloorStage) -> None:
    assert {stack.stack_name: sorted(stack.event_rules.by_name) for stack in stage.function_stacks} == {
        stack.stack_name: (["order-emails"] if stack is stage.contexts["shop"] else [])
        for stack in stage.function_stacks
    }


@pytest.mark.parametrize(
    ("prefix", "bus", "expected"),
    [
        (APP_NAME, SHOPFLOOR_BUS, "shopfloor"),
        ("Shopfloor-Dev", SHOPFLOOR_BUS, "shopfloor-dev"),
        ("Shopfloor-Staging", SHOPFLOOR_BUS, "shopfloor-staging"),
        (APP_NAME, dataclasses.replace(SHOPFLOOR_BUS, name="analytics"), "shopfloor-analytics"),
        (
            "Shopfloor-Staging",
            dataclasses.replace(SHOPFLOOR_BUS, name="analytics"),
            "shopfloor-staging-analytics",
        ),
    ],
)
def test_a_bus_is_named_after_its_stage_so_two_stages_in_one_account_do_not_collide(
    prefix: str, bus: EventBus, expected: str
) -> None:
    """Named after the stage's prefix (`Shopfloor-Dev`), which every stack of the stage shares, not
    after the stack that holds the bus; outside any stage (the local cloud), after the app."""
    assert bus_physical_name(prefix, bus) == expected


def test_an_archive_name_longer_than_eventbridge_allows_is_refused() -> None:
    assert archive_name("shopfloor") == "shopfloor-archive"
    with pytest.raises(ValueError, match="48 characters"):
        archive_name("s" * 41)


@pytest.mark.parametrize("bus", EVENT_BUSES, ids=lambda bus: bus.name)
def test_each_bus_archives_every_event_for_the_declared_retention(
    template_dict: dict[str, Any], stage: ShopfloorStage, bus: EventBus
) -> None:
    [archive] = [
        archive["Properties"]
        for archive in resources_of_type(template_dict, "AWS::Events::Archive").values()
        if archive["Properties"]["SourceArn"] == _bus_arn(stage, bus)
    ]

    assert archive["RetentionDays"] == bus.archive_retention_days
    # Every event the account puts on the bus, whatever its source or type.
    assert archive["EventPattern"] == {"account": [{"Ref": "AWS::AccountId"}]}
    assert archive["ArchiveName"] == archive_name(bus_physical_name(DEV.prefix, bus))
    # No KmsKeyIdentifier: CDK's "" for "no key" is refused in some regions (aws/aws-cdk#37847).
    assert "KmsKeyIdentifier" not in archive


def test_the_shopfloor_bus_keeps_its_events_90_days(
    template_dict: dict[str, Any], stage: ShopfloorStage
) -> None:
    [archive] = resources_of_type(template_dict, "AWS::Events::Archive").values()

    assert archive["Properties"]["SourceArn"] == _bus_arn(stage, SHOPFLOOR_BUS)
    assert archive["Properties"]["RetentionDays"] == 90


def _bus_rule(template_dict: Mapping[str, Any], stage: ShopfloorStage, rule: Rule) -> dict[str, Any]:
    return dict(_resource(template_dict, _rule_arn(stage, rule)))


def test_the_order_emails_rule_matches_the_shops_order_events_exactly(
    template_dict: dict[str, Any], stage: ShopfloorStage
) -> None:
    [rule] = SHOPFLOOR_BUS.rules

    properties = _bus_rule(template_dict, stage, rule)

    assert properties["EventPattern"] == {
        "source": ["shopfloor.shop"],
        "detail-type": ["OrderPlaced", "OrderStatusChanged", "OrderCancelled"],
    }


@pytest.mark.parametrize(("bus", "rule"), RULES, ids=lambda value: value.name)
def test_each_rule_is_on_its_bus_and_matches_exactly_its_pattern(
    template_dict: dict[str, Any], stage: ShopfloorStage, bus: EventBus, rule: Rule
) -> None:
    properties = _bus_rule(template_dict, stage, rule)

    assert properties["EventBusName"] == _bus_name(stage, bus)
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
    template_dict: dict[str, Any], stage: ShopfloorStage, bus: EventBus, rule: Rule
) -> None:
    [target] = _bus_rule(template_dict, stage, rule)["Targets"]
    dead_letters = _resource(template_dict, _rule_dead_letters_arn(stage, rule))

    assert target["Arn"] == _queue_arn(stage, rule.queue)
    assert target["RetryPolicy"] == {
        "MaximumRetryAttempts": EVENT_TARGET_RETRY_ATTEMPTS,
        "MaximumEventAgeInSeconds": EVENT_TARGET_MAX_EVENT_AGE_MINUTES * 60,
    }
    assert target["DeadLetterConfig"] == {"Arn": _rule_dead_letters_arn(stage, rule)}
    assert dead_letters["SqsManagedSseEnabled"] is True
    assert "RedrivePolicy" not in dead_letters


@pytest.mark.parametrize(("bus", "rule"), RULES, ids=lambda value: value.name)
def test_each_rules_dead_letter_queue_alarms_on_its_first_message_and_notifies_the_topic(
    template_dict: dict[str, Any], stage: ShopfloorStage, bus: EventBus, rule: Rule
) -> None:
    queue_name = {"Fn::GetAtt": [_rule_dead_letters_arn(stage, rule)["Fn::GetAtt"][0], "QueueName"]}
    topic = stage.platform.resolve(stage.platform.topic.topic_arn)

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
    template_dict: dict[str, Any], stage: ShopfloorStage, bus: EventBus, rule: Rule
) -> None:
    """EventBridge publishes a custom bus's rule metrics with both dimensions, EventBusName and RuleName."""
    metric = {
        "Namespace": "AWS/Events",
        "MetricName": RULE_LOST_EVENTS_METRIC,
        "Dimensions": [
            {"Name": "EventBusName", "Value": bus_physical_name(DEV.prefix, bus)},
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
    assert alarm["AlarmActions"] == [stage.platform.resolve(stage.platform.topic.topic_arn)]


@pytest.mark.parametrize(("bus", "rule"), RULES, ids=lambda value: value.name)
def test_only_its_rule_may_send_to_a_rules_queue_and_dead_letter_queue(
    template_dict: dict[str, Any], stage: ShopfloorStage, bus: EventBus, rule: Rule
) -> None:
    rule_arn = _rule_arn(stage, rule)

    for queue_arn in (_queue_arn(stage, rule.queue), _rule_dead_letters_arn(stage, rule)):
        [allowed] = _allowed_statements(template_dict, queue_arn)
        assert allowed["Principal"] == EVENTS_PRINCIPAL
        assert allowed["Condition"] == {"ArnEquals": {"aws:SourceArn": rule_arn}}
        assert allowed["Resource"] == queue_arn
        assert "sqs:SendMessage" in statement_actions(allowed)
        assert not statement_actions(allowed) & {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:PurgeQueue"}


def test_eventbridge_may_send_to_no_queue_that_no_rule_targets(
    template_dict: dict[str, Any], stage: ShopfloorStage
) -> None:
    targeted = {_queue_arn(stage, rule.queue)["Fn::GetAtt"][0] for _, rule in RULES}
    targeted |= {_rule_dead_letters_arn(stage, rule)["Fn::GetAtt"][0] for _, rule in RULES}
    targeted |= {
        stack.resolve(schedule.dead_letters.queue.queue_arn)["Fn::GetAtt"][0]
        for stack in stage.function_stacks
        for schedule in stack.schedules.by_name.values()
    }

    for queue in QUEUES:
        arn = _queue_arn(stage, queue.name)
        allowed = _allowed_statements(template_dict, arn)
        assert bool(allowed) == (arn["Fn::GetAtt"][0] in targeted), queue.name
    for logical_id in resources_of_type(template_dict, "AWS::SQS::Queue"):
        allowed = _allowed_statements(template_dict, {"Fn::GetAtt": [logical_id, "Arn"]})
        assert all(statement["Principal"] == EVENTS_PRINCIPAL for statement in allowed), logical_id
        assert not allowed or logical_id in targeted, logical_id


@pytest.mark.parametrize("function", PUBLISHERS, ids=lambda function: function.name)
def test_a_publisher_may_put_events_on_its_bus_and_do_nothing_else_with_eventbridge(
    template_dict: dict[str, Any], stage: ShopfloorStage, function: Function
) -> None:
    assert function.publishes_to
    bus_arn = _bus_arn(stage, EVENT_BUSES_BY_NAME[function.publishes_to])
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
    template_dict: dict[str, Any], stage: ShopfloorStage
) -> None:
    assert actions_on(template_dict, "order-events", _bus_arn(stage, SHOPFLOOR_BUS)) == {PUT_EVENTS}


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
    template_dict: dict[str, Any], stage: ShopfloorStage, function: Function
) -> None:
    assert function.publishes_to
    bus = EVENT_BUSES_BY_NAME[function.publishes_to]
    environment = function_environments(template_dict)[function.name]

    assert environment[bus.env_var] == _bus_name(stage, bus)


def test_order_events_finds_the_bus_in_shopfloor_event_bus_name(
    template_dict: dict[str, Any], stage: ShopfloorStage
) -> None:
    environment = function_environments(template_dict)["order-events"]

    assert environment["SHOPFLOOR_EVENT_BUS_NAME"] == {"Ref": _bus_arn(stage, SHOPFLOOR_BUS)["Fn::GetAtt"][0]}
    for name, other in function_environments(template_dict).items():
        assert name == "order-events" or "SHOPFLOOR_EVENT_BUS_NAME" not in other, name


def test_the_notifier_consumes_the_order_emails_queue(
    template_dict: dict[str, Any], stage: ShopfloorStage
) -> None:
    function_ref = {"Ref": function_logical_ids(template_dict)["notifier"]}
    [mapping] = [
        resource["Properties"]
        for resource in resources_of_type(template_dict, "AWS::Lambda::EventSourceMapping").values()
        if resource["Properties"]["FunctionName"] == function_ref
    ]

    assert mapping["EventSourceArn"] == _queue_arn(stage, ORDER_EMAILS.name)
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert (mapping["BatchSize"], mapping["ScalingConfig"]) == (
        ORDER_EMAILS.batch_size,
        {"MaximumConcurrency": ORDER_EMAILS.max_concurrency},
    )


@pytest.mark.parametrize("bus", EVENT_BUSES, ids=lambda bus: bus.name)
def test_the_outputs_name_what_a_replay_needs(
    templates: dict[str, dict[str, Any]], stage: ShopfloorStage, bus: EventBus
) -> None:
    """The bus's and the archive's are outputs of the data stack, which holds them; a rule's ARN is an
    output of the stack that holds the rule (the shop's): `aws cloudformation describe-stacks` of
    each."""
    outputs = templates[stage.data.stack_name]["Outputs"]
    created = stage.data.event_buses.by_name[bus.name]

    assert outputs[bus_name_output_id(bus)]["Value"] == _bus_name(stage, bus)
    assert outputs[bus_arn_output_id(bus)]["Value"] == _bus_arn(stage, bus)
    assert outputs[archive_name_output_id(bus)]["Value"] == stage.data.resolve(created.archive.archive_name)
    assert outputs[archive_arn_output_id(bus)]["Value"] == stage.data.resolve(created.archive.archive_arn)
    assert "start-replay" in outputs[archive_arn_output_id(bus)]["Description"]
    for rule in bus.rules:
        rule_outputs = templates[_rule_stack(stage, rule).stack_name]["Outputs"]
        assert rule_outputs[rule_arn_output_id(rule)]["Value"] == _rule_arn(stage, rule)
        assert rule_arn_output_id(rule) not in outputs


def test_the_replay_outputs_of_the_shopfloor_bus_are_named_for_the_readme(
    templates: dict[str, dict[str, Any]],
) -> None:
    """The bus's and the archive's in the data stack, the order-emails rule's in the shop's."""
    assert {
        "ShopfloorEventBusName",
        "ShopfloorEventBusArn",
        "ShopfloorEventArchiveName",
        "ShopfloorEventArchiveArn",
    } <= set(templates[DEV.stack_name(DATA)]["Outputs"])
    assert "OrderEmailsRuleArn" in templates[DEV.stack_name("Shop")]["Outputs"]


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
