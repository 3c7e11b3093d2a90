"""Table streams: each stream consumer reads its table's stream from the oldest record, retries,
halves a failing batch, reports partial batch failures, sees only the event names it asks for, and
sends what still fails to its own dead-letter queue, which has an alarm."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from infra.constructs.functions import check_stream_consumer
from infra.stack import ShopfloorStage
from infra.topology import FUNCTIONS, TABLES, TABLES_BY_NAME, Function, Table, TableStream
from tests.infra.template import GET_STACK_OUTPUT, actions_on, function_logical_ids, resources_of_type

pytestmark = pytest.mark.infra

STREAM_CONSUMERS = [function for function in FUNCTIONS if function.streams_from]
READ_STREAM = {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"}


def _stream(function: Function) -> TableStream:
    assert function.streams_from is not None
    return function.streams_from


def _mapping(template_dict: dict[str, Any], function: Function) -> dict[str, Any]:
    function_ref = {"Ref": function_logical_ids(template_dict)[function.name]}
    [mapping] = [
        resource["Properties"]
        for resource in resources_of_type(template_dict, "AWS::Lambda::EventSourceMapping").values()
        if resource["Properties"]["FunctionName"] == function_ref
    ]
    return dict(mapping)


def _stream_arn(stage: ShopfloorStage, table_name: str) -> Any:
    """The table's stream (the data stack's: its consumer's stack reads it from the data stack's output)."""
    return stage.data.resolve(stage.data.tables.by_name[table_name].table_stream_arn)


def _failures_arn(stage: ShopfloorStage, function: Function) -> Any:
    """The consumer's on-failure queue, which its own stack holds."""
    stack = stage.stack_of_function[function.name]
    return stack.resolve(stack.functions.stream_failures[function.name].queue.queue_arn)


def test_the_warranty_archiver_and_order_events_consume_their_tables_streams() -> None:
    assert [(function.name, _stream(function).table) for function in STREAM_CONSUMERS] == [
        ("warranty-archiver", "warranties"),
        ("order-events", "orders"),
    ]


@pytest.mark.parametrize("function", STREAM_CONSUMERS, ids=lambda function: function.name)
def test_a_stream_consumer_reads_its_tables_stream_as_declared(
    template_dict: dict[str, Any], stage: ShopfloorStage, function: Function
) -> None:
    stream = _stream(function)
    mapping = _mapping(template_dict, function)

    assert mapping["EventSourceArn"] == _stream_arn(stage, stream.table)
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    assert mapping["BatchSize"] == stream.batch_size
    assert mapping["MaximumBatchingWindowInSeconds"] == stream.batching_window_seconds


@pytest.mark.parametrize("function", STREAM_CONSUMERS, ids=lambda function: function.name)
def test_a_stream_consumer_reads_the_data_stacks_stream_from_its_own_stack(
    stage: ShopfloorStage, templates: dict[str, dict[str, Any]], function: Function
) -> None:
    """The event source and the on-failure queue (and its alarm) are the consumer's stack's; the
    table is the data stack's, whose stream ARN the consumer's stack reads from the data stack's output."""
    own = templates[stage.stack_of_function[function.name].stack_name]
    failures_id = _failures_arn(stage, function)["Fn::GetAtt"][0]

    read = _mapping(own, function)["EventSourceArn"][GET_STACK_OUTPUT]
    assert read["StackName"] == stage.data.stack_name
    assert failures_id in resources_of_type(own, "AWS::SQS::Queue")
    assert any(
        alarm["Properties"].get("Dimensions")
        == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [failures_id, "QueueName"]}}]
        for alarm in resources_of_type(own, "AWS::CloudWatch::Alarm").values()
    )


@pytest.mark.parametrize("function", STREAM_CONSUMERS, ids=lambda function: function.name)
def test_a_stream_consumer_retries_bisects_and_reports_partial_batch_failures(
    template_dict: dict[str, Any], function: Function
) -> None:
    stream = _stream(function)
    mapping = _mapping(template_dict, function)

    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["MaximumRetryAttempts"] == stream.retry_attempts
    assert mapping["MaximumRecordAgeInSeconds"] == stream.max_record_age_seconds
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


@pytest.mark.parametrize("function", STREAM_CONSUMERS, ids=lambda function: function.name)
def test_a_stream_consumer_sees_only_the_event_names_it_declares(
    template_dict: dict[str, Any], function: Function
) -> None:
    [event_filter] = _mapping(template_dict, function)["FilterCriteria"]["Filters"]

    assert json.loads(event_filter["Pattern"]) == {"eventName": list(_stream(function).event_names)}


def test_the_archiver_sees_only_inserts(template_dict: dict[str, Any]) -> None:
    [archiver] = [function for function in STREAM_CONSUMERS if function.name == "warranty-archiver"]

    [event_filter] = _mapping(template_dict, archiver)["FilterCriteria"]["Filters"]
    assert json.loads(event_filter["Pattern"]) == {"eventName": ["INSERT"]}


def test_order_events_sees_placed_and_changed_orders_but_no_deletion(
    template_dict: dict[str, Any], stage: ShopfloorStage
) -> None:
    [order_events] = [function for function in STREAM_CONSUMERS if function.name == "order-events"]
    mapping = _mapping(template_dict, order_events)

    [event_filter] = mapping["FilterCriteria"]["Filters"]
    assert json.loads(event_filter["Pattern"]) == {"eventName": ["INSERT", "MODIFY"]}
    assert mapping["EventSourceArn"] == _stream_arn(stage, "orders")
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["MaximumRetryAttempts"] == _stream(order_events).retry_attempts > 0
    assert mapping["DestinationConfig"] == {"OnFailure": {"Destination": _failures_arn(stage, order_events)}}


@pytest.mark.parametrize("function", STREAM_CONSUMERS, ids=lambda function: function.name)
def test_what_still_fails_goes_to_the_consumers_dead_letter_queue(
    template_dict: dict[str, Any], stage: ShopfloorStage, function: Function
) -> None:
    mapping = _mapping(template_dict, function)
    failures = _failures_arn(stage, function)
    queue = template_dict["Resources"][failures["Fn::GetAtt"][0]]["Properties"]

    assert mapping["DestinationConfig"] == {"OnFailure": {"Destination": failures}}
    assert queue["MessageRetentionPeriod"] == _stream(function).failures_retention_days * 24 * 60 * 60
    assert queue["SqsManagedSseEnabled"] is True


@pytest.mark.parametrize("function", STREAM_CONSUMERS, ids=lambda function: function.name)
def test_a_stream_consumers_dead_letter_queue_alarms_on_its_first_message(
    template_dict: dict[str, Any], stage: ShopfloorStage, function: Function
) -> None:
    queue_name = {"Fn::GetAtt": [_failures_arn(stage, function)["Fn::GetAtt"][0], "QueueName"]}

    [alarm] = [
        alarm["Properties"]
        for alarm in resources_of_type(template_dict, "AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("Dimensions") == [{"Name": "QueueName", "Value": queue_name}]
    ]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert alarm["Threshold"] == 1
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"


@pytest.mark.parametrize("function", STREAM_CONSUMERS, ids=lambda function: function.name)
def test_a_stream_consumer_may_read_its_stream_and_send_to_its_dead_letter_queue(
    template_dict: dict[str, Any], stage: ShopfloorStage, function: Function
) -> None:
    stream_actions = actions_on(template_dict, function.name, _stream_arn(stage, _stream(function).table))
    queue_actions = actions_on(template_dict, function.name, _failures_arn(stage, function))

    assert stream_actions == READ_STREAM
    assert "sqs:SendMessage" in queue_actions
    assert not queue_actions & {"sqs:ReceiveMessage", "sqs:DeleteMessage"}


@pytest.mark.parametrize("table", [table for table in TABLES if table.stream], ids=lambda table: table.name)
def test_only_its_consumers_may_read_a_tables_stream(
    template_dict: dict[str, Any], stage: ShopfloorStage, table: Table
) -> None:
    readers = {
        function.name
        for function in FUNCTIONS
        if actions_on(template_dict, function.name, _stream_arn(stage, table.name))
    }

    assert readers == {
        function.name for function in STREAM_CONSUMERS if _stream(function).table == table.name
    }


def test_a_consumer_of_a_table_without_a_stream_is_refused() -> None:
    [consumer, *_] = STREAM_CONSUMERS
    table = dataclasses.replace(TABLES_BY_NAME[_stream(consumer).table], stream=False)

    with pytest.raises(ValueError, match="declares no stream"):
        check_stream_consumer(consumer, table)
