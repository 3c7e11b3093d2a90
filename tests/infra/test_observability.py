"""Observability: every function, the API, every table and every queue has its alarms, as the topology
says, in the stack that holds it (the tables': the platform stack, which watches the data stack),
named after that stack; every alarm of every stack notifies the one topic, the platform stack's;
each stack's dashboard, named after it, shows what it holds; `-c alarmEmail=...` subscribes."""

from __future__ import annotations

import json
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
    BusinessMetric,
    alarm_email_from_context,
)
from infra.stack import FunctionsStack, ShopfloorStage
from infra.topology import EVENT_BUSES, FUNCTIONS, METRICS_NAMESPACE, QUEUES, TABLES, Function, Queue, Table
from shopfloor.catalog.products import service as products_service
from shopfloor.catalog.sync import worker as offers_worker
from shopfloor.shop.notifier import notifier
from shopfloor.shop.order_events import publisher as order_events_publisher
from shopfloor.shop.orders import service as orders_service
from shopfloor.warranties import archiver as warranty_archiver
from shopfloor.warranties import service as warranties_service
from tests.infra.conftest import ALARM_EMAIL
from tests.infra.template import GET_STACK_OUTPUT, function_logical_ids, resources_of_type

pytestmark = pytest.mark.infra

GREATER = "GreaterThanThreshold"
ALARM = "AWS::CloudWatch::Alarm"
DASHBOARD = "AWS::CloudWatch::Dashboard"
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


def _alarm_ids_on(
    template_dict: Mapping[str, Any], namespace: str, metric_name: str, dimension: str, value: Any
) -> list[str]:
    """The logical ids of the alarms on a metric of one resource (its dimension's value, as the
    template writes it)."""
    return [
        logical_id
        for logical_id, alarm in _alarms(template_dict).items()
        if any(
            metric["Namespace"] == namespace
            and metric["MetricName"] == metric_name
            and {"Name": dimension, "Value": value} in metric.get("Dimensions", [])
            for metric, _ in _metric_stats(alarm)
        )
    ]


def _alarms_on(
    template_dict: Mapping[str, Any], namespace: str, metric_name: str, dimension: str, value: Any
) -> list[Mapping[str, Any]]:
    """The alarms on a metric of one resource (its dimension's value, as the template writes it)."""
    alarms = _alarms(template_dict)
    return [
        alarms[logical_id]
        for logical_id in _alarm_ids_on(template_dict, namespace, metric_name, dimension, value)
    ]


def _one_alarm_id_on(
    template_dict: Mapping[str, Any], namespace: str, metric_name: str, dimension: str, value: Any
) -> str:
    alarms = _alarm_ids_on(template_dict, namespace, metric_name, dimension, value)
    assert len(alarms) == 1, f"{len(alarms)} alarms on {namespace} {metric_name} of {value}"
    return alarms[0]


def _one_alarm_on(
    template_dict: Mapping[str, Any], namespace: str, metric_name: str, dimension: str, value: Any
) -> Mapping[str, Any]:
    return _alarms(template_dict)[_one_alarm_id_on(template_dict, namespace, metric_name, dimension, value)]


def _holder(templates: Mapping[str, Mapping[str, Any]], logical_id: str) -> str:
    """The name of the one stack whose template holds a resource of the merged view (by logical id)."""
    holders = [name for name, template in templates.items() if logical_id in template["Resources"]]
    assert len(holders) == 1, f"{logical_id} is in {holders}"
    return holders[0]


def _assert_alarms_of(
    templates: Mapping[str, Mapping[str, Any]], template_dict: Mapping[str, Any], stack_name: str, *ids: str
) -> None:
    """The alarms (logical ids of the merged view) are resources of the stack `stack_name`, and named
    after it."""
    for logical_id in ids:
        assert _holder(templates, logical_id) == stack_name, logical_id
        assert template_dict["Resources"][logical_id]["Properties"]["AlarmName"].startswith(f"{stack_name}-")


def _statistics(alarm: Mapping[str, Any], metric_name: str) -> set[str]:
    return {stat for metric, stat in _metric_stats(alarm) if metric["MetricName"] == metric_name}


def _topic(stage: ShopfloorStage) -> Any:
    """The one topic, the platform stack's (`{"Ref": ...}`: what every stack reads of it, merged)."""
    return stage.platform.resolve(stage.platform.alarm_topic.topic.topic_arn)


def _stack_of_queue(stage: ShopfloorStage, queue: Queue) -> FunctionsStack:
    """The stack of the queue's consumer, which holds the queue."""
    [consumer] = [function for function in FUNCTIONS if function.consumes == queue.name]
    return stage.stack_of_function[consumer.name]


def _function_ref(template_dict: Mapping[str, Any], function: Function) -> dict[str, str]:
    return {"Ref": function_logical_ids(template_dict)[function.name]}


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda function: function.name)
def test_each_function_alarms_on_errors_throttles_p99_duration_and_concurrency(
    template_dict: dict[str, Any],
    templates: dict[str, dict[str, Any]],
    stage: ShopfloorStage,
    function: Function,
) -> None:
    """In the function's stack, named after it (changed with the split into stacks: the alarms were
    the one stack's)."""
    ref = _function_ref(template_dict, function)
    ids = [
        _one_alarm_id_on(template_dict, "AWS/Lambda", name, "FunctionName", ref)
        for name in ("Errors", "Throttles", "Duration", "ConcurrentExecutions")
    ]
    errors, throttles, duration, concurrency = (template_dict["Resources"][i]["Properties"] for i in ids)

    _assert_alarms_of(templates, template_dict, stage.stack_of_function[function.name].stack_name, *ids)
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
    template_dict: dict[str, Any], templates: dict[str, dict[str, Any]], stage: ShopfloorStage
) -> None:
    """In the edge stack, which holds the API, named after it."""
    api_id = stage.edge.resolve(stage.edge.api.http_api.api_id)
    alarms = _alarms(template_dict)

    def alarm_id(metric_name: str) -> str:
        [found] = [
            logical_id
            for logical_id in _alarm_ids_on(template_dict, "AWS/ApiGateway", metric_name, "ApiId", api_id)
            if all(
                {"Name": "Stage", "Value": HTTP_API_STAGE} in metric["Dimensions"]
                for metric, _ in _metric_stats(alarms[logical_id])
            )
        ]
        return found

    ids = [alarm_id("5xx"), alarm_id("4xx"), alarm_id("Latency")]
    faults, errors, latency = (alarms[logical_id] for logical_id in ids)

    _assert_alarms_of(templates, template_dict, stage.edge.stack_name, *ids)
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


def _insights_alarms(template_dict: Mapping[str, Any], table_ref: Any) -> dict[str, str]:
    """The logical ids of a table's Metrics Insights alarms, by the metric they sum (the query names
    the table)."""
    found: dict[str, str] = {}
    for logical_id, alarm in _alarms(template_dict).items():
        for query in alarm.get("Metrics", []):
            expression = query.get("Expression")
            if isinstance(expression, dict) and table_ref in expression["Fn::Join"][1]:
                text = "".join(part for part in expression["Fn::Join"][1] if isinstance(part, str))
                metric_name = text.split("SUM(")[1].split(")")[0]
                assert metric_name not in found, f"two alarms on {metric_name}"
                assert 'FROM SCHEMA("AWS/DynamoDB", Operation, TableName) WHERE TableName = ' in text
                found[metric_name] = logical_id
    return found


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_each_table_alarms_on_throttled_requests_and_system_errors_of_every_operation(
    template_dict: dict[str, Any], templates: dict[str, dict[str, Any]], stage: ShopfloorStage, table: Table
) -> None:
    """In the platform stack (the data stack holds data alone), named after it."""
    ids = _insights_alarms(
        template_dict, stage.data.resolve(stage.data.tables.by_name[table.name].table_name)
    )
    alarms = {metric_name: _alarms(template_dict)[logical_id] for metric_name, logical_id in ids.items()}

    _assert_alarms_of(templates, template_dict, stage.platform.stack_name, *ids.values())
    assert set(alarms) == {"ThrottledRequests", "SystemErrors"}
    assert alarms["ThrottledRequests"]["Threshold"] == TABLE_THROTTLED_REQUESTS_ALARM_THRESHOLD
    assert alarms["SystemErrors"]["Threshold"] == TABLE_SYSTEM_ERRORS_ALARM_THRESHOLD
    assert {alarm["ComparisonOperator"] for alarm in alarms.values()} == {GREATER}


@pytest.mark.parametrize("queue", QUEUES, ids=lambda queue: queue.name)
def test_each_queue_alarms_on_its_oldest_message_and_its_dead_letters(
    template_dict: dict[str, Any], templates: dict[str, dict[str, Any]], stage: ShopfloorStage, queue: Queue
) -> None:
    """In the stack of the queue's consumer, which holds the queue; the age alarm named after it (the
    dead-letter queue's own alarm, queues.DeadLetterQueue, is named by CloudFormation)."""
    stack = _stack_of_queue(stage, queue)
    created = stack.queues.by_name[queue.name]

    age_id = _one_alarm_id_on(
        template_dict,
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        "QueueName",
        stack.resolve(created.queue.queue_name),
    )
    dead_letters_id = _one_alarm_id_on(
        template_dict,
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        "QueueName",
        stack.resolve(created.dead_letters.queue.queue_name),
    )
    age, dead_letters = _alarms(template_dict)[age_id], _alarms(template_dict)[dead_letters_id]

    _assert_alarms_of(templates, template_dict, stack.stack_name, age_id)
    assert _holder(templates, dead_letters_id) == stack.stack_name
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


@pytest.mark.parametrize("stage_fixture", ["stage", "alarm_email_stage"])
def test_every_alarm_notifies_the_one_topic_when_it_fires_and_when_it_recovers(
    request: pytest.FixtureRequest, stage_fixture: str
) -> None:
    """Every alarm of every stack, each stack's read of the platform stack's topic resolved (merged)."""
    stage: ShopfloorStage = request.getfixturevalue(stage_fixture)
    template_dict = request.getfixturevalue(
        "template_dict" if stage_fixture == "stage" else "alarm_email_template_dict"
    )
    [topic_id] = resources_of_type(template_dict, "AWS::SNS::Topic")
    alarms = _alarms(template_dict)

    assert _topic(stage) == {"Ref": topic_id}

    # 4 per function, 3 for the API, 2 per table, 1 per queue, and the dead-letter queues' own.
    assert len(alarms) >= 4 * len(FUNCTIONS) + 3 + 2 * len(TABLES) + len(QUEUES)
    assert {
        logical_id: (alarm.get("AlarmActions"), alarm.get("OKActions"))
        for logical_id, alarm in alarms.items()
        if alarm.get("AlarmActions") != [{"Ref": topic_id}] or alarm.get("OKActions") != [{"Ref": topic_id}]
    } == {}
    assert {alarm["ActionsEnabled"] for alarm in alarms.values() if "ActionsEnabled" in alarm} <= {True}


def test_every_stack_but_the_data_stack_alarms_on_what_it_holds_into_the_platform_stacks_topic(
    templates: dict[str, dict[str, Any]], stage: ShopfloorStage
) -> None:
    """The topic is the platform stack's: the other stacks read it (a cross-stack read), and hold
    their own alarms; the data stack holds data alone, which the platform stack watches."""
    [topic_id] = resources_of_type(templates[stage.platform.stack_name], "AWS::SNS::Topic")
    alarms = {name: resources_of_type(template, ALARM) for name, template in templates.items()}

    assert {
        name for name, template in templates.items() if resources_of_type(template, "AWS::SNS::Topic")
    } == {stage.platform.stack_name}
    assert {name for name, found in alarms.items() if found} == {
        stack.stack_name for stack in stage.stacks if stack is not stage.data
    }
    for name, found in alarms.items():
        actions = {
            json.dumps(action, sort_keys=True)
            for alarm in found.values()
            for action in alarm["Properties"]["AlarmActions"] + alarm["Properties"]["OKActions"]
        }
        if name == stage.platform.stack_name:
            assert actions == {json.dumps({"Ref": topic_id})}, name
        elif found:
            [action] = actions
            assert json.loads(action)[GET_STACK_OUTPUT]["StackName"] == stage.platform.stack_name, name


def test_the_topic_is_encrypted_with_a_rotated_key_cloudwatch_may_use_and_refuses_plain_http(
    template_dict: dict[str, Any], stage: ShopfloorStage
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
    assert policy["Properties"]["Topics"] == [_topic(stage)]
    assert {
        "Action": "sns:Publish",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        "Effect": "Deny",
        "Principal": "*",
        "Resource": _topic(stage),
        "Sid": "AllowPublishThroughSSLOnly",
    } in statements
    [cloudwatch] = [s for s in statements if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}]
    assert cloudwatch["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}


def _dashboards(
    templates: Mapping[str, Mapping[str, Any]], template_dict: Mapping[str, Any]
) -> dict[str, tuple[str, list[Any]]]:
    """Each stack's dashboard, by stack name: its body's text, and what it references (read in the
    merged view: cross-stack reads resolved). A stack with a dashboard has one, named after it."""
    names = {
        stack_name: [dashboard["Properties"]["DashboardName"] for dashboard in dashboards.values()]
        for stack_name, template in templates.items()
        if (dashboards := resources_of_type(template, DASHBOARD))
    }
    merged = {
        dashboard["Properties"]["DashboardName"]: dashboard
        for dashboard in resources_of_type(template_dict, DASHBOARD).values()
    }
    assert names == {stack_name: [stack_name] for stack_name in names}
    assert set(merged) == set(names)
    found: dict[str, tuple[str, list[Any]]] = {}
    for stack_name in names:
        parts = merged[stack_name]["Properties"]["DashboardBody"]["Fn::Join"][1]
        found[stack_name] = (
            "".join(part for part in parts if isinstance(part, str)),
            [part for part in parts if not isinstance(part, str)],
        )
    return found


def _business_metric_text(metric: BusinessMetric) -> str:
    """How a dashboard's body names a business metric: namespace, name, and the emitting function."""
    return f'"{METRICS_NAMESPACE}","{metric.name}","service","{metric.function}"'


def test_each_stack_has_a_dashboard_named_after_it_showing_what_it_holds_and_its_business_metrics(
    template_dict: dict[str, Any], templates: dict[str, dict[str, Any]], stage: ShopfloorStage
) -> None:
    """Changed with the split into stacks: a dashboard per stack (but the data stack's, which the
    platform stack's watches), not one; each function, queue and business metric on the dashboard of
    the stack that holds the function (or the queue), the tables on the platform stack's, the API on
    the edge stack's."""
    dashboards = _dashboards(templates, template_dict)

    assert set(dashboards) == {stack.stack_name for stack in stage.stacks if stack is not stage.data}
    for function in FUNCTIONS:
        _, references = dashboards[stage.stack_of_function[function.name].stack_name]
        assert _function_ref(template_dict, function) in references, function.name
    for table in TABLES:
        _, references = dashboards[stage.platform.stack_name]
        assert stage.data.resolve(stage.data.tables.by_name[table.name].table_name) in references, table.name
    for queue in QUEUES:
        stack = _stack_of_queue(stage, queue)
        created = stack.queues.by_name[queue.name]
        _, references = dashboards[stack.stack_name]
        assert stack.resolve(created.queue.queue_name) in references, queue.name
        assert stack.resolve(created.dead_letters.queue.queue_name) in references, queue.name
    body, references = dashboards[stage.edge.stack_name]
    assert stage.edge.resolve(stage.edge.api.http_api.api_id) in references
    assert f'"Stage","{HTTP_API_STAGE}"' in body
    for metric in BUSINESS_METRICS:
        holder = stage.stack_of_function[metric.function].stack_name
        assert {
            stack_name
            for stack_name, (text, _) in dashboards.items()
            if _business_metric_text(metric) in text
        } == {holder}, metric.name


def test_the_dashboard_graphs_the_metrics_the_functions_emit() -> None:
    assert {(metric.function, metric.name) for metric in BUSINESS_METRICS} == EMITTED_METRICS
    assert {metric.function for metric in BUSINESS_METRICS} <= {function.name for function in FUNCTIONS}


def test_no_one_is_e_mailed_unless_the_context_names_an_address(template_dict: dict[str, Any]) -> None:
    assert resources_of_type(template_dict, "AWS::SNS::Subscription") == {}


def test_the_alarm_email_context_subscribes_that_address_with_a_dead_letter_queue_that_alarms(
    alarm_email_template_dict: dict[str, Any], alarm_email_stage: ShopfloorStage
) -> None:
    """The subscription, its dead-letter queue and the queue's alarm are the platform stack's, with
    the topic."""
    platform = alarm_email_stage.platform
    in_platform = alarm_email_stage.synth().get_stack_artifact(platform.artifact_id).template["Resources"]
    [(subscription_id, subscription)] = resources_of_type(
        alarm_email_template_dict, "AWS::SNS::Subscription"
    ).items()
    properties = subscription["Properties"]
    dead_letters = properties["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]

    assert (properties["Protocol"], properties["Endpoint"]) == ("email", ALARM_EMAIL)
    assert properties["TopicArn"] == _topic(alarm_email_stage)
    assert platform.alarm_topic.email_failures is not None
    assert platform.resolve(platform.alarm_topic.email_failures.queue.queue_arn) == {
        "Fn::GetAtt": [dead_letters, "Arn"]
    }
    alarm_id = _one_alarm_id_on(
        alarm_email_template_dict,
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        "QueueName",
        {"Fn::GetAtt": [dead_letters, "QueueName"]},
    )
    assert {subscription_id, dead_letters, alarm_id} <= set(in_platform)


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
