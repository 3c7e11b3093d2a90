"""Observability: every function, the API, every table and every queue has its alarms, as the topology
says; every alarm notifies the one topic; the dashboard shows them; `-c alarmEmail=...` subscribes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from aws_cdk import App
from cdk_nag import AwsSolutionsChecks

from infra.constants import ALARM_EMAIL_CONTEXT_KEY, DEAD_LETTER_ALARM_THRESHOLD, HTTP_API_STAGE
from infra.constructs.observability import (
    API_4XX_RATE_ALARM_THRESHOLD,
    API_5XX_RATE_ALARM_THRESHOLD,
    API_P99_LATENCY_ALARM_THRESHOLD,
    BUSINESS_METRICS,
    FUNCTION_CONCURRENCY_ALARM_THRESHOLD,
    FUNCTION_DURATION_P99_PERCENT_OF_TIMEOUT,
    FUNCTION_ERRORS_ALARM_THRESHOLD,
    FUNCTION_THROTTLES_ALARM_THRESHOLD,
    TABLE_SYSTEM_ERRORS_ALARM_THRESHOLD,
    TABLE_THROTTLED_REQUESTS_ALARM_THRESHOLD,
    alarm_email_from_context,
)
from infra.stack import ShopfloorStack
from infra.topology import EVENT_BUSES, FUNCTIONS, METRICS_NAMESPACE, QUEUES, TABLES, Function, Queue, Table
from shopfloor.catalog.products import service as products_service
from shopfloor.catalog.sync import worker as offers_worker
from shopfloor.shop.notifier import notifier
from shopfloor.shop.order_events import publisher as order_events_publisher
from shopfloor.shop.orders import service as orders_service
from shopfloor.warranties import archiver as warranty_archiver
from shopfloor.warranties import service as warranties_service
from tests.infra.conftest import ALARM_EMAIL
from tests.infra.template import function_logical_ids, resources_of_type

pytestmark = pytest.mark.infra

GREATER = "GreaterThanThreshold"
# What each business metric is called where it is emitted (the shared layer's constants).
EMITTED_METRICS = {
    ("products", products_service.PRODUCTS_CREATED),
    ("warranties", warranties_service.WARRANTIES_CREATED),
    ("offers-worker", offers_worker.OFFERS_INSERTED),
    ("offers-worker", offers_worker.OFFERS_UPDATED),
    ("offers-worker", offers_worker.OFFERS_DELETED),
    ("warranty-archiver", warranty_archiver.ARCHIVE_FAILURES),
    ("orders", orders_service.ORDERS_PLACED),
    ("order-events", order_events_publisher.EVENTS_PUBLISHED),
    ("order-events", order_events_publisher.RECORDS_FAILED),
    ("notifier", notifier.EMAILS_SENT),
    ("notifier", notifier.EMAILS_FAILED),
}


def _alarms(template_dict: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {
        logical_id: alarm["Properties"]
        for logical_id, alarm in resources_of_type(template_dict, "AWS::CloudWatch::Alarm").items()
    }


def _metric_stats(alarm: Mapping[str, Any]) -> Iterator[tuple[Mapping[str, Any], str]]:
    """Each metric an alarm reads, with its statistic: a plain alarm's, or those of its metric math."""
    if "MetricName" in alarm:
        yield (
            {k: alarm[k] for k in ("Namespace", "MetricName", "Dimensions") if k in alarm},
            alarm.get("ExtendedStatistic") or alarm["Statistic"],
        )
    for query in alarm.get("Metrics", []):
        if "MetricStat" in query:
            yield query["MetricStat"]["Metric"], query["MetricStat"]["Stat"]


def _alarms_on(
    template_dict: Mapping[str, Any], namespace: str, metric_name: str, dimension: str, value: Any
) -> list[Mapping[str, Any]]:
    """The alarms on a metric of one resource (its dimension's value, as the template writes it)."""
    return [
        alarm
        for alarm in _alarms(template_dict).values()
        if any(
            metric["Namespace"] == namespace
            and metric["MetricName"] == metric_name
            and {"Name": dimension, "Value": value} in metric.get("Dimensions", [])
            for metric, _ in _metric_stats(alarm)
        )
    ]


def _one_alarm_on(
    template_dict: Mapping[str, Any], namespace: str, metric_name: str, dimension: str, value: Any
) -> Mapping[str, Any]:
    alarms = _alarms_on(template_dict, namespace, metric_name, dimension, value)
    assert len(alarms) == 1, f"{len(alarms)} alarms on {namespace} {metric_name} of {value}"
    return alarms[0]


def _statistics(alarm: Mapping[str, Any], metric_name: str) -> set[str]:
    return {stat for metric, stat in _metric_stats(alarm) if metric["MetricName"] == metric_name}


def _topic(stack: ShopfloorStack) -> Any:
    return stack.resolve(stack.observability.topic.topic_arn)


def _function_ref(template_dict: Mapping[str, Any], function: Function) -> dict[str, str]:
    return {"Ref": function_logical_ids(template_dict)[function.name]}


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda function: function.name)
def test_each_function_alarms_on_errors_throttles_p99_duration_and_concurrency(
    template_dict: dict[str, Any], function: Function
) -> None:
    ref = _function_ref(template_dict, function)

    def alarm(metric_name: str) -> Mapping[str, Any]:
        return _one_alarm_on(template_dict, "AWS/Lambda", metric_name, "FunctionName", ref)

    errors, throttles, duration, concurrency = (
        alarm(name) for name in ("Errors", "Throttles", "Duration", "ConcurrentExecutions")
    )
    assert (errors["Threshold"], errors["ComparisonOperator"]) == (FUNCTION_ERRORS_ALARM_THRESHOLD, GREATER)
    assert _statistics(errors, "Errors") == {"Sum"}
    assert (throttles["Threshold"], throttles["ComparisonOperator"]) == (
        FUNCTION_THROTTLES_ALARM_THRESHOLD,
        GREATER,
    )
    # p99 against the function's own timeout (milliseconds), from the topology.
    assert _statistics(duration, "Duration") == {"p99"}
    assert (
        duration["Threshold"]
        == function.timeout_seconds * 1000 * FUNCTION_DURATION_P99_PERCENT_OF_TIMEOUT / 100
    )
    assert duration["Threshold"] < function.timeout_seconds * 1000
    assert duration["ComparisonOperator"] == GREATER
    assert _statistics(concurrency, "ConcurrentExecutions") == {"Maximum"}
    assert concurrency["Threshold"] == FUNCTION_CONCURRENCY_ALARM_THRESHOLD


def test_the_api_alarms_on_its_5xx_rate_4xx_rate_and_p99_latency(
    template_dict: dict[str, Any], stack: ShopfloorStack
) -> None:
    api_id = stack.resolve(stack.api.http_api.api_id)

    def alarm(metric_name: str) -> Mapping[str, Any]:
        [found] = [
            alarm
            for alarm in _alarms_on(template_dict, "AWS/ApiGateway", metric_name, "ApiId", api_id)
            if all(
                {"Name": "Stage", "Value": HTTP_API_STAGE} in metric["Dimensions"]
                for metric, _ in _metric_stats(alarm)
            )
        ]
        return found

    faults, errors, latency = alarm("5xx"), alarm("4xx"), alarm("Latency")
    # An HTTP API's 5xx and 4xx average to the share of requests that failed; each alarm also reads
    # its metric's sample count, to skip periods of too few requests.
    assert _statistics(faults, "5xx") == {"Average", "SampleCount"}
    assert _statistics(errors, "4xx") == {"Average", "SampleCount"}
    assert _statistics(latency, "Latency") == {"p99", "SampleCount"}
    assert (faults["Threshold"], errors["Threshold"]) == (
        API_5XX_RATE_ALARM_THRESHOLD,
        API_4XX_RATE_ALARM_THRESHOLD,
    )
    assert latency["Threshold"] == API_P99_LATENCY_ALARM_THRESHOLD.to_milliseconds()
    assert {faults["ComparisonOperator"], errors["ComparisonOperator"], latency["ComparisonOperator"]} == {
        GREATER
    }


def _insights_alarms(template_dict: Mapping[str, Any], table_ref: Any) -> dict[str, Mapping[str, Any]]:
    """A table's Metrics Insights alarms, by the metric they sum (the query names the table)."""
    found: dict[str, Mapping[str, Any]] = {}
    for alarm in _alarms(template_dict).values():
        for query in alarm.get("Metrics", []):
            expression = query.get("Expression")
            if isinstance(expression, dict) and table_ref in expression["Fn::Join"][1]:
                text = "".join(part for part in expression["Fn::Join"][1] if isinstance(part, str))
                metric_name = text.split("SUM(")[1].split(")")[0]
                assert metric_name not in found, f"two alarms on {metric_name}"
                assert 'FROM SCHEMA("AWS/DynamoDB", Operation, TableName) WHERE TableName = ' in text
                found[metric_name] = alarm
    return found


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_each_table_alarms_on_throttled_requests_and_system_errors_of_every_operation(
    template_dict: dict[str, Any], stack: ShopfloorStack, table: Table
) -> None:
    alarms = _insights_alarms(template_dict, stack.resolve(stack.tables.by_name[table.name].table_name))

    assert set(alarms) == {"ThrottledRequests", "SystemErrors"}
    assert alarms["ThrottledRequests"]["Threshold"] == TABLE_THROTTLED_REQUESTS_ALARM_THRESHOLD
    assert alarms["SystemErrors"]["Threshold"] == TABLE_SYSTEM_ERRORS_ALARM_THRESHOLD
    assert {alarm["ComparisonOperator"] for alarm in alarms.values()} == {GREATER}


@pytest.mark.parametrize("queue", QUEUES, ids=lambda queue: queue.name)
def test_each_queue_alarms_on_its_oldest_message_and_its_dead_letters(
    template_dict: dict[str, Any], stack: ShopfloorStack, queue: Queue
) -> None:
    created = stack.queues.by_name[queue.name]

    age = _one_alarm_on(
        template_dict,
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        "QueueName",
        stack.resolve(created.queue.queue_name),
    )
    dead_letters = _one_alarm_on(
        template_dict,
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        "QueueName",
        stack.resolve(created.dead_letters.queue.queue_name),
    )
    # Older than every receive the queue allows (visibility timeout each): the consumers are behind.
    assert age["Threshold"] == queue.visibility_timeout_seconds * queue.max_receive_count
    assert age["ComparisonOperator"] == GREATER
    assert dead_letters["Threshold"] == DEAD_LETTER_ALARM_THRESHOLD
    assert dead_letters["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"


def test_the_dead_letter_queues_alarm_once_each(template_dict: dict[str, Any]) -> None:
    """The dead-letter queues' own alarms (queues.DeadLetterQueue) are not made a second time."""
    depth_alarms = [
        alarm
        for alarm in _alarms(template_dict).values()
        if any(
            metric["MetricName"] == "ApproximateNumberOfMessagesVisible" for metric, _ in _metric_stats(alarm)
        )
    ]
    scheduled = [function for function in FUNCTIONS if function.schedule_minutes]
    streams = [function for function in FUNCTIONS if function.streams_from]
    rules = [rule for bus in EVENT_BUSES for rule in bus.rules]

    assert len(depth_alarms) == len(QUEUES) + len(scheduled) + len(streams) + len(rules)


@pytest.mark.parametrize("template_fixture", ["template_dict", "alarm_email_template_dict"])
def test_every_alarm_notifies_the_one_topic_when_it_fires_and_when_it_recovers(
    request: pytest.FixtureRequest, template_fixture: str
) -> None:
    template_dict = request.getfixturevalue(template_fixture)
    [topic_id] = resources_of_type(template_dict, "AWS::SNS::Topic")
    alarms = _alarms(template_dict)

    # 4 per function, 3 for the API, 2 per table, 1 per queue, and the dead-letter queues' own.
    assert len(alarms) >= 4 * len(FUNCTIONS) + 3 + 2 * len(TABLES) + len(QUEUES)
    assert {
        logical_id: (alarm.get("AlarmActions"), alarm.get("OKActions"))
        for logical_id, alarm in alarms.items()
        if alarm.get("AlarmActions") != [{"Ref": topic_id}] or alarm.get("OKActions") != [{"Ref": topic_id}]
    } == {}
    assert {alarm["ActionsEnabled"] for alarm in alarms.values() if "ActionsEnabled" in alarm} <= {True}


def test_the_topic_is_encrypted_with_a_rotated_key_cloudwatch_may_use_and_refuses_plain_http(
    template_dict: dict[str, Any], stack: ShopfloorStack
) -> None:
    [topic] = resources_of_type(template_dict, "AWS::SNS::Topic").values()
    key = template_dict["Resources"][topic["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]]
    [policy] = resources_of_type(template_dict, "AWS::SNS::TopicPolicy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]

    assert key["Type"] == "AWS::KMS::Key"
    assert key["Properties"]["EnableKeyRotation"] is True
    assert any(
        statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
        and set(statement["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
        for statement in key["Properties"]["KeyPolicy"]["Statement"]
    )
    assert policy["Properties"]["Topics"] == [_topic(stack)]
    assert {
        "Action": "sns:Publish",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        "Effect": "Deny",
        "Principal": "*",
        "Resource": _topic(stack),
        "Sid": "AllowPublishThroughSSLOnly",
    } in statements
    [cloudwatch] = [s for s in statements if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}]
    assert cloudwatch["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}


def test_one_dashboard_shows_every_function_table_queue_and_business_metric(
    template_dict: dict[str, Any], stack: ShopfloorStack
) -> None:
    [dashboard] = resources_of_type(template_dict, "AWS::CloudWatch::Dashboard").values()
    parts = dashboard["Properties"]["DashboardBody"]["Fn::Join"][1]
    body = "".join(part for part in parts if isinstance(part, str))
    references = [part for part in parts if not isinstance(part, str)]

    for function in FUNCTIONS:
        assert _function_ref(template_dict, function) in references, function.name
    for table in TABLES:
        assert stack.resolve(stack.tables.by_name[table.name].table_name) in references, table.name
    for queue in QUEUES:
        created = stack.queues.by_name[queue.name]
        assert stack.resolve(created.queue.queue_name) in references, queue.name
        assert stack.resolve(created.dead_letters.queue.queue_name) in references, queue.name
    assert stack.resolve(stack.api.http_api.api_id) in references
    assert f'"Stage","{HTTP_API_STAGE}"' in body
    for metric in BUSINESS_METRICS:
        assert f'"{METRICS_NAMESPACE}","{metric.name}","service","{metric.function}"' in body


def test_the_dashboard_graphs_the_metrics_the_functions_emit() -> None:
    assert {(metric.function, metric.name) for metric in BUSINESS_METRICS} == EMITTED_METRICS
    assert {metric.function for metric in BUSINESS_METRICS} <= {function.name for function in FUNCTIONS}


def test_no_one_is_e_mailed_unless_the_context_names_an_address(template_dict: dict[str, Any]) -> None:
    assert resources_of_type(template_dict, "AWS::SNS::Subscription") == {}


def test_the_alarm_email_context_subscribes_that_address_with_a_dead_letter_queue_that_alarms(
    alarm_email_template_dict: dict[str, Any], alarm_email_stack: ShopfloorStack
) -> None:
    [subscription] = resources_of_type(alarm_email_template_dict, "AWS::SNS::Subscription").values()
    properties = subscription["Properties"]
    dead_letters = properties["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]

    assert (properties["Protocol"], properties["Endpoint"]) == ("email", ALARM_EMAIL)
    assert properties["TopicArn"] == _topic(alarm_email_stack)
    _one_alarm_on(
        alarm_email_template_dict,
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        "QueueName",
        {"Fn::GetAtt": [dead_letters, "QueueName"]},
    )


def test_cdk_nag_finds_nothing_unacknowledged_with_an_alarm_email(
    alarm_email_app: App, alarm_email_template_dict: dict[str, Any]
) -> None:
    report = AwsSolutionsChecks(verbose=True).validate_scope(alarm_email_app)

    assert [violation.rule_name for violation in report.violations] == []


@pytest.mark.parametrize("value", ["oncall", "on call@example.com", "a@b", 42])
def test_an_alarm_email_that_is_no_address_is_refused(value: object) -> None:
    with pytest.raises(ValueError, match=ALARM_EMAIL_CONTEXT_KEY):
        alarm_email_from_context(App(context={ALARM_EMAIL_CONTEXT_KEY: value}))


@pytest.mark.parametrize("value", [None, ""])
def test_no_alarm_email_is_no_subscription(value: object) -> None:
    context = {} if value is None else {ALARM_EMAIL_CONTEXT_KEY: value}

    assert alarm_email_from_context(App(context=context)) is None
