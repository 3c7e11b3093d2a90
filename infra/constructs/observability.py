"""Operating the deployed stage: a CloudWatch dashboard per stack, and alarms that all notify one SNS
topic (`AlarmTopic`, in the platform stack).

Each stack watches what it holds (`Observability`: its functions, queues, rules, schedules, the API);
the platform stack watches the tables, which the data stack holds. Built from infra.topology and the
stacks' constructs, with cdk-monitoring-constructs:
- every function: errors, throttles, p99 duration against its timeout, concurrent executions (the
  first and the third also roll back a deployment of the function: `rollback_alarms`, used by
  infra.constructs.rollout);
- the HTTP API: 5xx rate, 4xx rate, p99 latency;
- every table: throttled requests and system errors, summed over every operation;
- every queue: the age of its oldest message. Its dead-letter queue already alarms on its first
  message (queues.DeadLetterQueue), as do the stream on-failure queues, the schedules' and the event
  rules' dead-letter queues: those alarms are not made twice, they are given the topic and a graph;
- every event rule: what it matched, delivered and failed to deliver, with an alarm on an event
  that reached neither its target nor its dead-letter queue (the one way an event is lost).

The topic is encrypted with a key of its own (CloudWatch cannot publish to a topic encrypted with
the AWS-managed SNS key) and refuses requests without TLS. `cdk deploy -c alarmEmail=<address>`
subscribes an address (it confirms by e-mail first); a notification SNS cannot deliver to it
lands in a dead-letter queue, whose alarm shows in the console.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, TypedDict, cast

import cdk_monitoring_constructs as monitoring
from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infra.constants import ALARM_EMAIL_CONTEXT_KEY, HTTP_API_STAGE
from infra.constructs import nag
from infra.constructs.api import Api
from infra.constructs.event_buses import EventRules
from infra.constructs.functions import Functions
from infra.constructs.naming import stage_prefix
from infra.constructs.queues import DeadLetterQueue, Queues
from infra.constructs.schedules import Schedules
from infra.constructs.tables import Tables
from infra.topology import METRICS_NAMESPACE, QUEUES, TABLES, Function, Queue, Rule

# Every alarm looks at 5-minute periods: the resolution AWS services publish these metrics at.
ALARM_PERIOD: Final = Duration.minutes(5)
# "Sustained": in 2 of the last 3 periods, so that one bad period (a deploy, a burst) stays quiet.
SUSTAINED_DATAPOINTS: Final = 2
SUSTAINED_PERIODS: Final = 3

# An invocation error is an unhandled exception, a timeout or memory running out (domain errors are
# answered, failed batch items reported): any is a bug to look at.
FUNCTION_ERRORS_ALARM_THRESHOLD: Final = 0
# No function has reserved concurrency: a throttle means the account's concurrency ran out.
FUNCTION_THROTTLES_ALARM_THRESHOLD: Final = 0
# The slowest invocations (p99) beyond this share of the timeout are about to time out.
FUNCTION_DURATION_P99_PERCENT_OF_TIMEOUT: Final = 80
# Half of Lambda's default regional quota (1,000), which every function of the account shares.
FUNCTION_CONCURRENCY_ALARM_THRESHOLD: Final = 500

# 5xx are ours (a bug, a timeout, an AWS failure): more than 1% of requests is an incident.
API_5XX_RATE_ALARM_THRESHOLD: Final = 0.01
# 4xx are the clients' (validation, not found): above 10% of requests, a client or the contract broke.
API_4XX_RATE_ALARM_THRESHOLD: Final = 0.10
# Warm handlers answer in milliseconds and API functions time out at 10 s: a p99 above 3 s is trouble.
API_P99_LATENCY_ALARM_THRESHOLD: Final = Duration.seconds(3)
# Below this many requests in a period, a rate or a p99 is a handful of requests, not a trend.
API_MIN_REQUESTS_TO_EVALUATE: Final = 50

# On-demand tables throttle only beyond their partitions' or the account's limits: any is news.
TABLE_THROTTLED_REQUESTS_ALARM_THRESHOLD: Final = 0
# DynamoDB's own 500s: the SDK retries them, so they alarm only when sustained, not for a blip.
TABLE_SYSTEM_ERRORS_ALARM_THRESHOLD: Final = 0

# An event a rule matched that EventBridge could deliver neither to the target nor to the rule's
# dead-letter queue is gone: any is an incident.
RULE_LOST_EVENTS_ALARM_THRESHOLD: Final = 0
RULE_LOST_EVENTS_METRIC: Final = "InvocationsFailedToBeSentToDlq"

# Notifications SNS could not e-mail are kept as long as the other dead letters.
ALARM_EMAIL_FAILURES_RETENTION_DAYS: Final = 14

CRITICAL: Final = "Critical"  # the alarms' one level (cdk-monitoring-constructs' "disambiguator")
# cdk-monitoring-constructs' alarm name suffixes of a function's errors and p99 duration alarms.
FAULT_COUNT_SUFFIX: Final = "Fault-Count"
LATENCY_P99_SUFFIX: Final = "Latency-P99"
CLOUDWATCH: Final = iam.ServicePrincipal("cloudwatch.amazonaws.com")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def duration_alarm_threshold(function: Function) -> Duration:
    """The p99 duration above which a function alarms: a share of its timeout."""
    return Duration.millis(function.timeout_seconds * 1000 * FUNCTION_DURATION_P99_PERCENT_OF_TIMEOUT // 100)


def max_message_age_seconds(queue: Queue) -> int:
    """A message is received again every visibility timeout until its last receive, then dead-lettered:
    one older than that waits for a consumer, so the consumers are behind."""
    return queue.visibility_timeout_seconds * queue.max_receive_count


@dataclass(frozen=True)
class RollbackAlarms:
    """The alarms of one function that roll back a deployment of it: it fails, or is about to time out.
    They watch the function's every version, the old and the new one alike: during a canary most
    invocations are the old version's, which alarm only if they fail too."""

    errors: cloudwatch.IAlarm
    duration: cloudwatch.IAlarm

    @property
    def all(self) -> tuple[cloudwatch.IAlarm, ...]:
        return (self.errors, self.duration)


@dataclass(frozen=True)
class BusinessMetric:
    """A metric a function emits through Powertools (namespace METRICS_NAMESPACE, dimension service)."""

    function: str
    name: str
    label: str


BUSINESS_METRICS: Final = (
    BusinessMetric("products", "ProductsCreated", "products created"),
    BusinessMetric("warranties", "WarrantiesCreated", "warranties created (not replays)"),
    BusinessMetric("offers-worker", "OffersInserted", "offers inserted"),
    BusinessMetric("offers-worker", "OffersUpdated", "offers updated"),
    BusinessMetric("offers-worker", "OffersDeleted", "offers deleted"),
    BusinessMetric("warranty-archiver", "ArchiveFailures", "warranty records that failed to archive"),
    BusinessMetric("orders", "OrdersPlaced", "orders placed (not replays)"),
    BusinessMetric("order-events", "OrderEventsPublished", "order events put on the bus"),
    BusinessMetric("order-events", "OrderEventRecordsFailed", "order changes not published (retried)"),
    BusinessMetric("notifier", "EmailsSent", "e-mails sent"),
    BusinessMetric("notifier", "EmailsFailed", "order events whose e-mails failed (retried)"),
)


class AlarmTopic(Construct):
    """The topic every alarm of the stage notifies (the platform stack's), with its e-mail subscriber
    and, then, the dead-letter queue of what SNS could not e-mail."""

    def __init__(
        self, scope: Construct, construct_id_: str, *, removal_policy: RemovalPolicy, alarm_email: str | None
    ) -> None:
        super().__init__(scope, construct_id_)
        self.topic = _alarm_topic(self, removal_policy)
        self.email_failures: DeadLetterQueue | None = None
        if alarm_email is not None:
            self.email_failures = self._subscribe(alarm_email)

    def _subscribe(self, address: str) -> DeadLetterQueue:
        failures = DeadLetterQueue(
            self,
            "AlarmEmailFailures",
            retention=Duration.days(ALARM_EMAIL_FAILURES_RETENTION_DAYS),
            purpose="alarm notifications SNS could not e-mail",
        )
        nag.acknowledge(
            failures.queue,
            nag.QUEUE_WITHOUT_DEAD_LETTER_QUEUE,
            "This queue is itself the dead-letter queue (redrive policy) of the alarm topic's e-mail "
            "subscription; cdk-nag only recognises SQS redrive policies as dead-letter use.",
        )
        self.topic.add_subscription(
            subscriptions.EmailSubscription(address, dead_letter_queue=failures.queue)
        )
        return failures


class Observability(Construct):
    """A stack's dashboard (named after the stack) and the alarms on what the stack holds, or, for the
    tables, watches: each piece is optional, so that every stack watches its own. They notify `topic`."""

    def __init__(
        self,
        scope: Construct,
        construct_id_: str,
        *,
        topic: sns.ITopic,
        functions: Functions | None = None,
        tables: Tables | None = None,
        queues: Queues | None = None,
        event_rules: EventRules | None = None,
        schedules: Schedules | None = None,
        api: Api | None = None,
        dead_letters: Mapping[str, DeadLetterQueue] | None = None,
    ) -> None:
        super().__init__(scope, construct_id_)
        stack = Stack.of(self)
        self.topic = topic
        notify = monitoring.SnsAlarmActionStrategy(on_alarm_topic=topic, on_ok_topic=topic)
        dashboards = monitoring.DefaultDashboardFactory(
            self,
            "Dashboards",
            dashboard_name_prefix=stack.stack_name,
            create_dashboard=True,
            create_summary_dashboard=False,
            create_alarm_dashboard=False,
        )
        self.facade = monitoring.MonitoringFacade(
            self,
            "Monitoring",
            alarm_factory_defaults=monitoring.AlarmFactoryDefaults(
                alarm_name_prefix=stack.stack_name, actions_enabled=True, action=notify
            ),
            metric_factory_defaults=monitoring.MetricFactoryDefaults(period=ALARM_PERIOD),
            dashboard_factory=dashboards,
        )
        if dashboards.dashboard is None:
            raise RuntimeError("cdk-monitoring-constructs created no dashboard")
        self.dashboard: cloudwatch.Dashboard = dashboards.dashboard

        # Each function's errors and p99 duration alarms, by function name.
        self.rollback_alarms: dict[str, RollbackAlarms] = {}
        if api is not None:
            self._monitor_api(api)
        if functions is not None:
            self._monitor_functions(functions)
        if tables is not None:
            self._monitor_tables(tables)
        if queues is not None:
            self._monitor_queues(queues)
        if event_rules is not None:
            self._monitor_rules(event_rules)
        watched_dead_letters = {
            **(dead_letters or {}),
            **_dead_letters_of(functions, queues, event_rules, schedules),
        }
        if watched_dead_letters:
            self._notify_dead_letters(watched_dead_letters)
        if functions is not None:
            self._graph_business_metrics(
                [metric for metric in BUSINESS_METRICS if metric.function in functions.by_name]
            )

        # Every alarm here: the library's and the dead-letter queues' own.
        self.alarms: list[cloudwatch.IAlarm] = [created.alarm for created in self.facade.created_alarms()]
        self.alarms += [failures.alarm for failures in watched_dead_letters.values()]

    def _monitor_api(self, api: Api) -> None:
        self.facade.add_large_header("API")
        api_name = f"HTTP API, stage {HTTP_API_STAGE}"
        self.facade.monitor_api_gateway_v2_http_api(
            api=api.http_api,
            api_stage=HTTP_API_STAGE,
            human_readable_name=api_name,
            alarm_friendly_name="api",
            add5xx_rate_alarm={
                CRITICAL: monitoring.ErrorRateThreshold(
                    max_error_rate=API_5XX_RATE_ALARM_THRESHOLD,
                    **_api_options(
                        f"{api_name}: more than {API_5XX_RATE_ALARM_THRESHOLD:.0%} of requests answered 5xx "
                        "(function errors or timeouts, HTTP API failures)."
                    ),
                )
            },
            add4xx_rate_alarm={
                CRITICAL: monitoring.ErrorRateThreshold(
                    max_error_rate=API_4XX_RATE_ALARM_THRESHOLD,
                    **_api_options(
                        f"{api_name}: more than {API_4XX_RATE_ALARM_THRESHOLD:.0%} of requests answered 4xx: "
                        "a client, or the contract it relies on, is broken."
                    ),
                )
            },
            add_latency_p99_alarm={
                CRITICAL: monitoring.LatencyThreshold(
                    max_latency=API_P99_LATENCY_ALARM_THRESHOLD,
                    **_api_options(
                        f"{api_name}: p99 latency above {API_P99_LATENCY_ALARM_THRESHOLD.to_seconds():g} s."
                    ),
                )
            },
        )

    def _monitor_functions(self, functions: Functions) -> None:
        self.facade.add_large_header("Functions")
        for function in functions.declared:
            name = function.name
            alarms_before = len(self.facade.created_alarms())
            self.facade.monitor_lambda_function(
                lambda_function=functions.by_name[name],
                human_readable_name=f"Function {name}",
                alarm_friendly_name=f"function-{name}",
                is_iterator=function.streams_from is not None,
                add_fault_count_alarm={
                    CRITICAL: monitoring.ErrorCountThreshold(
                        max_error_count=FUNCTION_ERRORS_ALARM_THRESHOLD,
                        **_at_once(
                            f"{name}: invocations failed (an unhandled exception, a timeout or memory "
                            "running out); its log group and X-Ray traces say which."
                        ),
                    )
                },
                add_throttles_count_alarm={
                    CRITICAL: monitoring.ErrorCountThreshold(
                        max_error_count=FUNCTION_THROTTLES_ALARM_THRESHOLD,
                        **_at_once(
                            f"{name}: invocations throttled: the account's Lambda concurrency ran out."
                        ),
                    )
                },
                add_latency_p99_alarm={
                    CRITICAL: monitoring.LatencyThreshold(
                        max_latency=duration_alarm_threshold(function),
                        **_sustained(
                            f"{name}: p99 duration above {FUNCTION_DURATION_P99_PERCENT_OF_TIMEOUT}% of its "
                            f"{function.timeout_seconds} s timeout: invocations are about to time out."
                        ),
                    )
                },
                add_concurrent_executions_count_alarm={
                    CRITICAL: monitoring.RunningTaskCountThreshold(
                        max_running_tasks=FUNCTION_CONCURRENCY_ALARM_THRESHOLD,
                        **_sustained(
                            f"{name}: more than {FUNCTION_CONCURRENCY_ALARM_THRESHOLD} concurrent "
                            "executions, half of the account's default quota, which every function shares."
                        ),
                    )
                },
            )
            created = {
                alarm.alarm_name_suffix: alarm.alarm for alarm in self.facade.created_alarms()[alarms_before:]
            }
            self.rollback_alarms[name] = RollbackAlarms(
                errors=created[FAULT_COUNT_SUFFIX], duration=created[LATENCY_P99_SUFFIX]
            )

    def _monitor_tables(self, tables: Tables) -> None:
        """Throttled requests and system errors are per operation in CloudWatch; a Metrics Insights
        query sums every operation, transactions included (cdk-monitoring-constructs' own table
        alarms sum nine operations, without TransactWriteItems, which most writes here use)."""
        self.facade.add_large_header("Tables")
        for table in TABLES:
            if table.name not in tables.by_name:
                continue
            created = tables.by_name[table.name]
            self.facade.monitor_custom(
                human_readable_name=f"Table {table.name}",
                alarm_friendly_name=f"table-{table.name}",
                metric_groups=[
                    monitoring.CustomMetricGroup(
                        title="Consumed capacity units",
                        metrics=[
                            created.metric_consumed_read_capacity_units(
                                statistic=cloudwatch.Stats.SUM, period=ALARM_PERIOD, label="read"
                            ),
                            created.metric_consumed_write_capacity_units(
                                statistic=cloudwatch.Stats.SUM, period=ALARM_PERIOD, label="write"
                            ),
                        ],
                    ),
                    _table_alarm_group(
                        created,
                        "ThrottledRequests",
                        TABLE_THROTTLED_REQUESTS_ALARM_THRESHOLD,
                        _at_once(
                            f"Table {table.name}: requests throttled (any operation, its indexes included)."
                        ),
                    ),
                    _table_alarm_group(
                        created,
                        "SystemErrors",
                        TABLE_SYSTEM_ERRORS_ALARM_THRESHOLD,
                        _sustained(f"Table {table.name}: DynamoDB answered requests with internal errors."),
                    ),
                ],
            )

    def _monitor_queues(self, queues: Queues) -> None:
        self.facade.add_large_header("Queues")
        for queue in QUEUES:
            if queue.name not in queues.by_name:
                continue
            created = queues.by_name[queue.name]
            age = max_message_age_seconds(queue)
            self.facade.monitor_sqs_queue_with_dlq(
                queue=created.queue,
                dead_letter_queue=created.dead_letters.queue,
                human_readable_name=f"Queue {queue.name}",
                alarm_friendly_name=f"queue-{queue.name}",
                add_queue_max_message_age_alarm={
                    CRITICAL: monitoring.MaxMessageAgeThreshold(
                        max_age_in_seconds=age,
                        **_at_once(
                            f"Queue {queue.name}: a message waited over {age} s, longer than its "
                            f"{queue.max_receive_count} receives take: the consumers are behind."
                        ),
                    )
                },
            )

    def _monitor_rules(self, event_rules: EventRules) -> None:
        self.facade.add_large_header("Event rules")
        for bus, rule in event_rules.declared:
            bus_name = event_rules.bus_of[rule.name].physical_name
            self.facade.monitor_custom(
                human_readable_name=f"Rule {rule.name} (bus {bus.name}, to the {rule.queue} queue)",
                alarm_friendly_name=f"rule-{rule.name}",
                metric_groups=[
                    monitoring.CustomMetricGroup(
                        title="Events",
                        metrics=[
                            _rule_metric(bus_name, rule, "MatchedEvents", "matched"),
                            _rule_metric(bus_name, rule, "Invocations", "target invocations"),
                            _rule_metric(bus_name, rule, "FailedInvocations", "failed for good"),
                            _rule_metric(bus_name, rule, "InvocationsSentToDlq", "to the dead-letter queue"),
                        ],
                    ),
                    _lost_events_group(bus_name, rule),
                ],
            )

    def _notify_dead_letters(self, dead_letters: Mapping[str, DeadLetterQueue]) -> None:
        """Each dead-letter queue's own alarm notifies the topic too, and is graphed."""
        action = cloudwatch_actions.SnsAction(self.topic)
        widgets: list[cloudwatch.IWidget] = []
        for title, failures in dead_letters.items():
            failures.alarm.add_alarm_action(action)
            failures.alarm.add_ok_action(action)
            widgets.append(cloudwatch.AlarmWidget(alarm=failures.alarm, title=title, width=6, height=5))
        self.facade.add_large_header("Dead letters: one message alarms")
        # A row is a widget (CDK's Row implements IWidget; its Python class lacks two optional members).
        self.facade.add_widget(cast(cloudwatch.IWidget, cloudwatch.Row(*widgets)))

    def _graph_business_metrics(self, metrics: list[BusinessMetric]) -> None:
        if not metrics:
            return
        self.facade.add_large_header("Business metrics")
        self.facade.monitor_custom(
            human_readable_name=f"What the functions did (namespace {METRICS_NAMESPACE}, per 5 minutes)",
            alarm_friendly_name="business",
            metric_groups=[
                monitoring.CustomMetricGroup(title=metric.label, metrics=[business_metric(metric)])
                for metric in metrics
            ],
        )


def _dead_letters_of(
    functions: Functions | None,
    queues: Queues | None,
    event_rules: EventRules | None,
    schedules: Schedules | None,
) -> dict[str, DeadLetterQueue]:
    """The dead-letter queues of what a stack holds, by the title of their graph. Each alarms on its
    first message already (queues.DeadLetterQueue): the alarm is given the topic, not made twice."""
    found: dict[str, DeadLetterQueue] = {}
    for name, failures in (functions.stream_failures if functions else {}).items():
        found[f"{name}: stream records that failed"] = failures
    for name, queue in (queues.by_name if queues else {}).items():
        found[f"{name}: dead letters"] = queue.dead_letters
    for name, rule in (event_rules.by_name if event_rules else {}).items():
        found[f"rule {name}: events not delivered"] = rule.dead_letters
    for name, schedule in (schedules.by_name if schedules else {}).items():
        found[f"{name}: scheduled runs that failed"] = schedule.dead_letters
    return found


def _rule_metric(bus_name: str, rule: Rule, metric_name: str, label: str) -> cloudwatch.Metric:
    """A rule's EventBridge metric: on a custom bus, EventBridge publishes it with the dimensions
    EventBusName and RuleName (RuleName alone is the default bus's). The rule's name is the
    topology's (event_buses.TopologyRule names it so)."""
    return cloudwatch.Metric(
        namespace="AWS/Events",
        metric_name=metric_name,
        dimensions_map={"EventBusName": bus_name, "RuleName": rule.name},
        statistic=cloudwatch.Stats.SUM,
        period=ALARM_PERIOD,
        label=label,
    )


def _lost_events_group(bus_name: str, rule: Rule) -> monitoring.CustomMetricGroup:
    """Events the rule matched that reached neither its queue nor its dead-letter queue."""
    description = (
        f"Rule {rule.name}: events reached neither the {rule.queue} queue nor the rule's dead-letter "
        "queue, and are lost; replay them from the bus's archive."
    )
    return monitoring.CustomMetricGroup(
        title="Lost events",
        metrics=[
            monitoring.CustomMetricWithAlarm(
                metric=_rule_metric(bus_name, rule, RULE_LOST_EVENTS_METRIC, "lost"),
                alarm_friendly_name=RULE_LOST_EVENTS_METRIC,
                add_alarm={
                    CRITICAL: monitoring.CustomThreshold(
                        threshold=RULE_LOST_EVENTS_ALARM_THRESHOLD,
                        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                        **_at_once(description),
                    )
                },
            )
        ],
    )


def business_metric(metric: BusinessMetric) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=metric.name,
        dimensions_map={"service": metric.function},
        statistic=cloudwatch.Stats.SUM,
        period=ALARM_PERIOD,
        label=metric.label,
    )


def alarm_email_from_context(scope: Construct) -> str | None:
    """The address alarms are e-mailed to (`-c alarmEmail=...`), or None: no subscription."""
    value = scope.node.try_get_context(ALARM_EMAIL_CONTEXT_KEY)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _EMAIL.match(value):
        raise ValueError(f"context {ALARM_EMAIL_CONTEXT_KEY}={value!r}: expected an e-mail address")
    return value


def _alarm_topic(scope: Construct, removal_policy: RemovalPolicy) -> sns.Topic:
    stack = Stack.of(scope)
    key = kms.Key(
        scope,
        "AlarmTopicKey",
        description=f"Encrypts the {stage_prefix(scope)} alarm topic; CloudWatch alarms publish with it.",
        enable_key_rotation=True,
        removal_policy=removal_policy,
    )
    # CloudWatch encrypts what it publishes with the topic's key: the key policy must let it.
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="CloudWatchAlarmsPublish",
            principals=[CLOUDWATCH],
            actions=["kms:Decrypt", "kms:GenerateDataKey*"],
            resources=["*"],
        )
    )
    topic = sns.Topic(
        scope,
        "AlarmTopic",
        # Named after the stage: every stack's alarms read its ARN through a weak reference, so the
        # platform stack destroyed and made again must give it the same one.
        topic_name=f"{stage_prefix(scope)}-alarms",
        display_name=f"{stage_prefix(scope)} alarms",
        master_key=key,
        enforce_ssl=True,
    )
    # Only this account's alarms may publish (the TLS-only policy would otherwise be the whole policy).
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            sid="CloudWatchAlarmsPublish",
            principals=[CLOUDWATCH],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
            conditions={
                "StringEquals": {"aws:SourceAccount": stack.account},
                "ArnLike": {
                    "aws:SourceArn": stack.format_arn(
                        service="cloudwatch",
                        resource="alarm",
                        resource_name="*",
                        arn_format=ArnFormat.COLON_RESOURCE_NAME,
                    )
                },
            },
        )
    )
    return topic


def _table_alarm_group(
    table: dynamodb.Table, metric_name: str, threshold: int, options: _AlarmOptions
) -> monitoring.CustomMetricGroup:
    return monitoring.CustomMetricGroup(
        title=f"{metric_name} (every operation)",
        metrics=[
            monitoring.CustomMetricWithAlarm(
                metric=_every_operation(table, metric_name),
                alarm_friendly_name=metric_name,
                add_alarm={
                    CRITICAL: monitoring.CustomThreshold(
                        threshold=threshold,
                        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                        **options,
                    )
                },
            )
        ],
    )


def _every_operation(table: dynamodb.Table, metric_name: str) -> cloudwatch.MathExpression:
    """The sum over every operation of a per-operation DynamoDB metric, as one Metrics Insights
    query: metric math could add at most 10 operations, and a missing one would blank the sum."""
    return cloudwatch.MathExpression(
        expression=(
            f'SELECT SUM({metric_name}) FROM SCHEMA("AWS/DynamoDB", Operation, TableName) '
            f"WHERE TableName = '{table.table_name}'"
        ),
        using_metrics={},
        label=metric_name,
        period=ALARM_PERIOD,
    )


class _AlarmOptions(TypedDict, total=False):
    """What every alarm here sets besides its threshold (cdk-monitoring-constructs' alarm props)."""

    alarm_description_override: str
    datapoints_to_alarm: int
    evaluation_periods: int
    treat_missing_data_override: cloudwatch.TreatMissingData
    min_sample_count_to_evaluate_datapoint: int


def _at_once(description: str) -> _AlarmOptions:
    """Alarms on the first period past the threshold."""
    return _options(description, datapoints=1, periods=1)


def _sustained(description: str) -> _AlarmOptions:
    return _options(description, datapoints=SUSTAINED_DATAPOINTS, periods=SUSTAINED_PERIODS)


def _api_options(description: str) -> _AlarmOptions:
    options = _sustained(
        f"{description} Counted only over periods of more than {API_MIN_REQUESTS_TO_EVALUATE} requests."
    )
    options["min_sample_count_to_evaluate_datapoint"] = API_MIN_REQUESTS_TO_EVALUATE
    return options


def _options(description: str, *, datapoints: int, periods: int) -> _AlarmOptions:
    minutes = int(ALARM_PERIOD.to_minutes())
    when = (
        f"in the last {minutes} minutes"
        if periods == 1
        else f"in {datapoints} of the last {periods} periods of {minutes} minutes"
    )
    return {
        "alarm_description_override": f"{description} ({when})",
        "datapoints_to_alarm": datapoints,
        "evaluation_periods": periods,
        # No data is no traffic (AWS publishes most of these only when something happens): not a breach.
        "treat_missing_data_override": cloudwatch.TreatMissingData.NOT_BREACHING,
    }
