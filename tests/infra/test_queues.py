"""Queues: each topology queue in the stack of its consumer, encrypted, TLS-only, redriven to a
dead-letter queue with an alarm, and consumed by an event source that reports partial batch failures."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from infra.constructs.functions import check_consumer
from infra.constructs.queues import TopologyQueue
from infra.stack import FunctionsStack, ShopfloorStage, functions_of, queues_of
from infra.topology import (
    CATALOG_CONTEXT,
    EVENT_BUSES,
    FUNCTIONS,
    QUEUES,
    QUEUES_BY_NAME,
    SHOP_CONTEXT,
    Function,
    Queue,
)
from tests.infra.template import actions_on, function_logical_ids, resources_of_type

pytestmark = pytest.mark.infra

SEND = "sqs:SendMessage"
CONSUME = {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"}
CONSUMERS = [function for function in FUNCTIONS if function.consumes]
STREAM_CONSUMERS = [function for function in FUNCTIONS if function.streams_from]
SENDERS = [function for function in FUNCTIONS if function.sends_to]
RULES = [rule for bus in EVENT_BUSES for rule in bus.rules]


def _properties(template_dict: dict[str, Any], reference: dict[str, Any]) -> dict[str, Any]:
    """The properties of the resource a `Ref` or `Fn::GetAtt` points at."""
    logical_id = reference["Ref"] if "Ref" in reference else reference["Fn::GetAtt"][0]
    return dict(template_dict["Resources"][logical_id]["Properties"])


def _consumer(queue: Queue) -> Function:
    [consumer] = [function for function in CONSUMERS if function.consumes == queue.name]
    return consumer


def _stack(stage: ShopfloorStage, queue: Queue) -> FunctionsStack:
    """The stack that holds a queue: its consumer's."""
    return stage.stack_of_function[_consumer(queue).name]


def _queue(stage: ShopfloorStage, queue: Queue) -> TopologyQueue:
    return _stack(stage, queue).queues.by_name[queue.name]


def _arn(stage: ShopfloorStage, queue: Queue) -> Any:
    return stage.data.resolve(_queue(stage, queue).queue.queue_arn)


def _dead_letter_arn(stage: ShopfloorStage, queue: Queue) -> Any:
    return stage.data.resolve(_queue(stage, queue).dead_letters.queue.queue_arn)


def _dead_letter_queue_ids(template_dict: dict[str, Any]) -> set[str]:
    """Every queue something sends its failures to: a redrive, a rule target, an async destination
    or a stream event source's on-failure destination."""
    arns = [
        queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]
        for queue in resources_of_type(template_dict, "AWS::SQS::Queue").values()
        if "RedrivePolicy" in queue["Properties"]
    ]
    arns += [
        target["DeadLetterConfig"]["Arn"]
        for rule in resources_of_type(template_dict, "AWS::Events::Rule").values()
        for target in rule["Properties"]["Targets"]
        if "DeadLetterConfig" in target
    ]
    arns += [
        config["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]
        for config in resources_of_type(template_dict, "AWS::Lambda::EventInvokeConfig").values()
    ]
    arns += [
        mapping["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]
        for mapping in resources_of_type(template_dict, "AWS::Lambda::EventSourceMapping").values()
        if "DestinationConfig" in mapping["Properties"]
    ]
    return {arn["Fn::GetAtt"][0] for arn in arns}


@pytest.mark.parametrize("queue", QUEUES, ids=lambda queue: queue.name)
def test_each_queue_is_encrypted_and_redriven_to_its_dead_letter_queue(
    template_dict: dict[str, Any], stage: ShopfloorStage, queue: Queue
) -> None:
    properties = _properties(template_dict, _arn(stage, queue))

    assert properties["SqsManagedSseEnabled"] is True
    assert properties["VisibilityTimeout"] == queue.visibility_timeout_seconds
    assert properties["RedrivePolicy"] == {
        "deadLetterTargetArn": _dead_letter_arn(stage, queue),
        "maxReceiveCount": queue.max_receive_count,
    }


@pytest.mark.parametrize("queue", QUEUES, ids=lambda queue: queue.name)
def test_each_dead_letter_queue_is_encrypted_and_keeps_messages_as_declared(
    template_dict: dict[str, Any], stage: ShopfloorStage, queue: Queue
) -> None:
    properties = _properties(template_dict, _dead_letter_arn(stage, queue))

    assert properties["SqsManagedSseEnabled"] is True
    assert properties["MessageRetentionPeriod"] == queue.dlq_retention_days * 24 * 60 * 60
    assert "RedrivePolicy" not in properties


def test_every_queue_refuses_requests_without_tls(template_dict: dict[str, Any]) -> None:
    denied_without_tls = {
        queue["Ref"]
        for policy in resources_of_type(template_dict, "AWS::SQS::QueuePolicy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Deny"
        and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for queue in policy["Properties"]["Queues"]
    }

    assert denied_without_tls == set(resources_of_type(template_dict, "AWS::SQS::Queue"))


def test_every_dead_letter_queue_alarms_on_its_first_message(template_dict: dict[str, Any]) -> None:
    dead_letter_queues = _dead_letter_queue_ids(template_dict)
    alarmed = {
        alarm["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]: alarm["Properties"]
        for alarm in resources_of_type(template_dict, "AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("Namespace") == "AWS/SQS"
    }

    assert len(dead_letter_queues) == len(QUEUES) + len(STREAM_CONSUMERS) + len(RULES) + sum(
        1 for f in FUNCTIONS if f.schedule_minutes
    )
    assert set(alarmed) == dead_letter_queues
    for properties in alarmed.values():
        assert properties["MetricName"] == "ApproximateNumberOfMessagesVisible"
        assert properties["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert (properties["Threshold"], properties["Period"]) == (1, 60)
        assert (properties["EvaluationPeriods"], properties["DatapointsToAlarm"]) == (1, 1)
        assert properties["TreatMissingData"] == "notBreaching"


def test_only_dead_letter_queues_and_topology_queues_exist(
    template_dict: dict[str, Any], stage: ShopfloorStage
) -> None:
    topology_queues = {_arn(stage, queue)["Fn::GetAtt"][0] for queue in QUEUES}

    assert set(
        resources_of_type(template_dict, "AWS::SQS::Queue")
    ) == topology_queues | _dead_letter_queue_ids(template_dict)


@pytest.mark.parametrize("function", CONSUMERS, ids=lambda function: function.name)
def test_a_consumer_reports_partial_batch_failures_at_the_declared_batch_size_and_concurrency(
    template_dict: dict[str, Any], stage: ShopfloorStage, function: Function
) -> None:
    assert function.consumes
    queue = QUEUES_BY_NAME[function.consumes]
    [mapping] = [
        resource["Properties"]
        for resource in resources_of_type(template_dict, "AWS::Lambda::EventSourceMapping").values()
        if resource["Properties"]["FunctionName"]
        == {"Ref": function_logical_ids(template_dict)[function.name]}
    ]

    assert mapping["EventSourceArn"] == _arn(stage, queue)
    assert mapping["BatchSize"] == queue.batch_size
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": queue.max_concurrency}


def test_only_consumers_have_an_event_source(template_dict: dict[str, Any]) -> None:
    assert len(resources_of_type(template_dict, "AWS::Lambda::EventSourceMapping")) == len(CONSUMERS) + len(
        STREAM_CONSUMERS
    )


@pytest.mark.parametrize("function", CONSUMERS, ids=lambda function: function.name)
def test_a_consumer_finishes_a_batch_before_its_messages_become_visible_again(function: Function) -> None:
    assert function.consumes
    assert function.timeout_seconds <= QUEUES_BY_NAME[function.consumes].visibility_timeout_seconds


def test_a_consumer_slower_than_the_visibility_timeout_is_refused() -> None:
    [consumer, *_] = CONSUMERS
    assert consumer.consumes
    queue = QUEUES_BY_NAME[consumer.consumes]
    slow = dataclasses.replace(consumer, timeout_seconds=queue.visibility_timeout_seconds + 1)

    with pytest.raises(ValueError, match="visibility timeout"):
        check_consumer(slow, queue)


@pytest.mark.parametrize("queue", QUEUES, ids=lambda queue: queue.name)
def test_only_the_functions_naming_a_queue_may_send_to_it_or_consume_it(
    template_dict: dict[str, Any], stage: ShopfloorStage, queue: Queue
) -> None:
    for function in FUNCTIONS:
        actions = actions_on(template_dict, function.name, _arn(stage, queue))

        assert (SEND in actions) == (queue.name in function.sends_to), function.name
        assert (actions >= CONSUME) == (function.consumes == queue.name), function.name
        assert not (actions & CONSUME) or function.consumes == queue.name, function.name


@pytest.mark.parametrize("function", SENDERS, ids=lambda function: function.name)
def test_a_sender_is_given_the_url_of_each_queue_it_sends_to(
    template_dict: dict[str, Any], stage: ShopfloorStage, function: Function
) -> None:
    environment = template_dict["Resources"][function_logical_ids(template_dict)[function.name]][
        "Properties"
    ]["Environment"]["Variables"]

    for queue_name in function.sends_to:
        queue = QUEUES_BY_NAME[queue_name]
        assert environment[queue.env_var] == stage.data.resolve(_queue(stage, queue).queue.queue_url)


@pytest.mark.parametrize("queue", QUEUES, ids=lambda queue: queue.name)
def test_a_queue_and_its_dead_letter_queue_live_in_the_stack_of_its_consumer(
    stage: ShopfloorStage, templates: dict[str, dict[str, Any]], queue: Queue
) -> None:
    """And in no other stack; every function that sends to it is of that stack too (queues_of)."""
    home = _stack(stage, queue)
    ids = {_arn(stage, queue)["Fn::GetAtt"][0], _dead_letter_arn(stage, queue)["Fn::GetAtt"][0]}

    for stack in stage.function_stacks:
        assert (queue.name in stack.queues.by_name) == (stack is home), stack.stack_name
    for stack_name, template in templates.items():
        held = ids & set(resources_of_type(template, "AWS::SQS::Queue"))
        assert held == (ids if stack_name == home.stack_name else set()), stack_name
    for function in SENDERS:
        if queue.name in function.sends_to:
            assert stage.stack_of_function[function.name] is home, function.name


def test_each_function_stack_holds_the_queues_its_functions_consume_and_no_other(
    stage: ShopfloorStage,
) -> None:
    for stack in stage.function_stacks:
        consumed = {function.consumes for function in stack.functions.declared if function.consumes}

        assert set(stack.queues.by_name) == consumed, stack.stack_name
        assert {queue.name for queue in queues_of(functions_of(stack.contexts))} == consumed, stack.stack_name


def test_a_stack_whose_function_sends_to_a_queue_another_stack_consumes_is_refused() -> None:
    """A queue lives in its consumer's stack: a sender in another stack would tie their deployments."""
    [queue, *_] = QUEUES
    sender = Function(
        name="sender", description="Sends to the queue.", context=CATALOG_CONTEXT, sends_to=(queue.name,)
    )
    consumer = Function(
        name="consumer", description="Consumes it.", context=SHOP_CONTEXT, consumes=queue.name
    )

    with pytest.raises(ValueError, match=f"sender sends to {queue.name}, which a function of another stack"):
        queues_of([sender])
    assert queues_of([consumer]) == (queue,)
    assert queues_of([sender, consumer]) == (queue,)
