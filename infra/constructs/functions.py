"""One Lambda function per topology entry, each with its own role, log group and grants.

A function may touch only what it names in the topology: its tables, the queues it sends to or
consumes (an SQS event source that reports partial batch failures), and its secrets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from aws_cdk import Duration, RemovalPolicy, Tags
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constants import ASSET_EXCLUDES, FUNCTION_TAG, PYTHON_VERSION
from infra.constructs import nag
from infra.constructs.layers import ARCHITECTURE, RUNTIME
from infra.constructs.naming import construct_id
from infra.constructs.queues import Queues
from infra.constructs.secrets import Secrets
from infra.constructs.tables import Tables
from infra.topology import FUNCTIONS, HANDLER, QUEUES_BY_NAME, Access, Function, Queue, function_environment

LOG_RETENTION = logs.RetentionDays.ONE_MONTH


class Functions(Construct):
    """The functions, by their topology name (`products`, `health`, ...)."""

    def __init__(
        self,
        scope: Construct,
        construct_id_: str,
        *,
        tables: Tables,
        queues: Queues,
        secrets: Secrets,
        service_urls: Mapping[str, str],
        layers: Sequence[lambda_.ILayerVersion],
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id_)
        self.by_name: Mapping[str, lambda_.Function] = MappingProxyType(
            {
                function.name: TopologyFunction(
                    self,
                    construct_id(function.name),
                    function=function,
                    tables=tables,
                    queues=queues,
                    secrets=secrets,
                    service_urls=service_urls,
                    layers=layers,
                    removal_policy=removal_policy,
                ).function
                for function in FUNCTIONS
            }
        )


class TopologyFunction(Construct):
    """A function as the topology declares it; it may touch only what it names."""

    def __init__(
        self,
        scope: Construct,
        construct_id_: str,
        *,
        function: Function,
        tables: Tables,
        queues: Queues,
        secrets: Secrets,
        service_urls: Mapping[str, str],
        layers: Sequence[lambda_.ILayerVersion],
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id_)
        # Names the function, its role and its logs after the topology entry, in AWS and in templates.
        Tags.of(self).add(FUNCTION_TAG, function.name)
        log_group = logs.LogGroup(self, "Logs", retention=LOG_RETENTION, removal_policy=removal_policy)
        # An explicit role instead of the default one: that one carries the AWS-managed
        # AWSLambdaBasicExecutionRole, which may write to every log group in the account.
        role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Runs the {function.name} function.",
        )
        log_group.grant_write(role)

        self.function = lambda_.Function(
            self,
            "Function",
            description=function.description,
            code=lambda_.Code.from_asset(str(function.code_dir), exclude=list(ASSET_EXCLUDES)),
            handler=HANDLER,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            layers=list(layers),
            memory_size=function.memory_mb,
            timeout=Duration.seconds(function.timeout_seconds),
            environment=function_environment(
                function,
                tables.physical_names,
                queue_urls=queues.urls,
                secret_ids=secrets.arns,
                service_urls=service_urls,
            ),
            role=role,
            log_group=log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            # Powertools' Logger reads the level Lambda derives from this (AWS_LAMBDA_LOG_LEVEL).
            application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
            system_log_level_v2=lambda_.SystemLogLevel.WARN,
            tracing=lambda_.Tracing.ACTIVE,
        )
        _grant_tables(self.function, function, tables.by_name)
        for queue_name in function.sends_to:
            queues.by_name[queue_name].queue.grant_send_messages(self.function)
        if function.consumes is not None:
            _consume(self.function, function, QUEUES_BY_NAME[function.consumes], queues)
        for secret_name in function.secrets:
            secrets.by_name[secret_name].grant_read(self.function)
        _acknowledge_findings(self.function, role)


def _grant_tables(
    lambda_function: lambda_.Function, function: Function, tables: Mapping[str, dynamodb.Table]
) -> None:
    for table_name, access in function.tables.items():
        table = tables[table_name]
        if access is Access.READ_WRITE:
            table.grant_read_write_data(lambda_function)
        else:
            table.grant_read_data(lambda_function)


def check_consumer(function: Function, queue: Queue) -> None:
    """A batch must end before its messages become visible again, or they are processed twice."""
    if function.timeout_seconds > queue.visibility_timeout_seconds:
        raise ValueError(
            f"{function.name} times out after {function.timeout_seconds} s, later than the "
            f"{queue.visibility_timeout_seconds} s visibility timeout of {queue.name}"
        )


def _consume(lambda_function: lambda_.Function, function: Function, queue: Queue, queues: Queues) -> None:
    """An SQS event source as the topology declares the queue; it also grants consuming it."""
    check_consumer(function, queue)
    lambda_function.add_event_source(
        event_sources.SqsEventSource(
            queues.by_name[queue.name].queue,
            batch_size=queue.batch_size,
            max_concurrency=queue.max_concurrency,
            report_batch_item_failures=True,
        )
    )


def _acknowledge_findings(lambda_function: lambda_.Function, role: iam.Role) -> None:
    nag.acknowledge(
        lambda_function,
        nag.LATEST_RUNTIME,
        f"Pinned to Python {PYTHON_VERSION}: the dependency layer's compiled wheels (pydantic-core) are "
        "built for that CPython. Moving to a newer runtime "
        "is a deliberate change of infra.constants.PYTHON_VERSION, tested end to end.",
    )
    # Active tracing adds the X-Ray statement to the role's default policy; nothing else there
    # may use a wildcard resource (tests/infra asserts it).
    nag.acknowledge(
        role.node.find_child("DefaultPolicy"),
        nag.WILDCARD_RESOURCE,
        "xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions: "
        "the X-Ray documentation requires Resource '*' for them.",
    )
