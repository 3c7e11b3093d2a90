"""One Lambda function per topology entry, each with its own role, log group and grants.

A function may touch only what it names in the topology: its tables, the queues it sends to or
consumes (an SQS event source that reports partial batch failures), the table stream it consumes
(retried, bisected, ending in its own dead-letter queue), its secrets, the buckets it writes to
(PutObject only), the user pool it administers (the admin actions sign-up needs, on that pool), the
event bus it publishes to (events:PutEvents on that bus), and the SES identity it sends e-mail from
(ses:SendEmail on that identity; see `_grant_send_email` for the SES sandbox).

Where the stage rolls out gradually (`aliased`: prod), each function also has its current version and
the alias LIVE_ALIAS on it, which its event sources invoke (as do the API and the schedules, through
`Functions.targets`), so that CodeDeploy can shift them from one version to the next
(infra.constructs.rollout). Elsewhere (dev) everything invokes the function itself ($LATEST): a
deploy takes effect at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from aws_cdk import Duration, RemovalPolicy, Tags
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.build import function_code_dir
from infra.constants import (
    ASSET_EXCLUDES,
    FUNCTION_NAME_MAX_LENGTH,
    FUNCTION_TAG,
    LIVE_ALIAS,
    PYTHON_VERSION,
    SES_FROM_ADDRESS_CONDITION_KEY,
    SES_SEND_EMAIL,
    USER_POOL_ADMIN_ACTIONS,
)
from infra.constructs import nag
from infra.constructs.buckets import Buckets
from infra.constructs.email import EmailSenders, TopologyEmailSender
from infra.constructs.event_buses import EventBuses
from infra.constructs.layers import ARCHITECTURE, RUNTIME, Layers
from infra.constructs.naming import construct_id, stage_prefix
from infra.constructs.queues import DeadLetterQueue, Queues
from infra.constructs.secrets import Secrets
from infra.constructs.tables import Tables
from infra.constructs.user_pools import UserPools
from infra.topology import (
    FUNCTIONS,
    HANDLER,
    QUEUES_BY_NAME,
    TABLES_BY_NAME,
    Access,
    Function,
    Queue,
    Table,
    TableStream,
    function_environment,
)

# The only action a function that writes to a bucket gets: it can neither read nor delete there.
PUT_OBJECT = "s3:PutObject"


class Functions(Construct):
    """The functions (every one of the topology, or `functions`: a stack's), by their topology name
    (`products`, `health`, ...)."""

    def __init__(
        self,
        scope: Construct,
        construct_id_: str,
        *,
        tables: Tables,
        queues: Queues,
        secrets: Secrets,
        buckets: Buckets,
        user_pools: UserPools,
        event_buses: EventBuses,
        email_senders: EmailSenders,
        service_urls: Mapping[str, str],
        context_values: Mapping[str, str],
        layers: Layers,
        removal_policy: RemovalPolicy,
        log_retention: logs.RetentionDays,
        aliased: bool = False,
        functions: Sequence[Function] = FUNCTIONS,
    ) -> None:
        super().__init__(scope, construct_id_)
        created = {
            function.name: TopologyFunction(
                self,
                construct_id(function.name),
                function=function,
                tables=tables,
                queues=queues,
                secrets=secrets,
                buckets=buckets,
                user_pools=user_pools,
                event_buses=event_buses,
                email_senders=email_senders,
                service_urls=service_urls,
                context_values=context_values,
                layers=layers,
                removal_policy=removal_policy,
                log_retention=log_retention,
                aliased=aliased,
            )
            for function in functions
        }
        self.declared: tuple[Function, ...] = tuple(functions)
        self.by_name: Mapping[str, lambda_.Function] = MappingProxyType(
            {name: topology_function.function for name, topology_function in created.items()}
        )
        # The live alias of each function, where the stage rolls out gradually (none otherwise).
        self.aliases: Mapping[str, lambda_.Alias] = MappingProxyType(
            {
                name: topology_function.alias
                for name, topology_function in created.items()
                if topology_function.alias is not None
            }
        )
        # What the API, the schedules and the event sources invoke: the live alias, or the function.
        self.targets: Mapping[str, lambda_.IFunction] = MappingProxyType(
            {name: topology_function.target for name, topology_function in created.items()}
        )
        # The on-failure queue of each function that consumes a table stream, by function name.
        self.stream_failures: Mapping[str, DeadLetterQueue] = MappingProxyType(
            {
                name: topology_function.stream_failures
                for name, topology_function in created.items()
                if topology_function.stream_failures is not None
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
        buckets: Buckets,
        user_pools: UserPools,
        event_buses: EventBuses,
        email_senders: EmailSenders,
        service_urls: Mapping[str, str],
        context_values: Mapping[str, str],
        layers: Layers,
        removal_policy: RemovalPolicy,
        log_retention: logs.RetentionDays,
        aliased: bool = False,
    ) -> None:
        super().__init__(scope, construct_id_)
        # Names the function, its role and its logs after the topology entry, in AWS and in templates.
        Tags.of(self).add(FUNCTION_TAG, function.name)
        log_group = logs.LogGroup(self, "Logs", retention=log_retention, removal_policy=removal_policy)
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
            function_name=function_physical_name(stage_prefix(self), function),
            description=function.description,
            code=lambda_.Code.from_asset(str(function_code_dir(function)), exclude=list(ASSET_EXCLUDES)),
            handler=HANDLER,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            layers=layers.of(function),
            memory_size=function.memory_mb,
            timeout=Duration.seconds(function.timeout_seconds),
            environment=function_environment(
                function,
                tables.physical_names,
                queue_urls=queues.urls,
                secret_ids=secrets.arns,
                service_urls=service_urls,
                bucket_names=buckets.names,
                user_pools=user_pools.ids,
                event_buses=event_buses.names,
                email_senders=email_senders.addresses,
                context_values=context_values,
            ),
            role=role,
            log_group=log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            # Powertools' Logger reads the level Lambda derives from this (AWS_LAMBDA_LOG_LEVEL).
            application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
            system_log_level_v2=lambda_.SystemLogLevel.WARN,
            tracing=lambda_.Tracing.ACTIVE,
        )
        self.alias: lambda_.Alias | None = None
        self.target: lambda_.IFunction = self.function
        if aliased:
            self.alias = lambda_.Alias(
                self, "LiveAlias", alias_name=LIVE_ALIAS, version=self.function.current_version
            )
            self.target = self.alias
        _grant_tables(self.function, function, tables.by_name)
        for queue_name in function.sends_to:
            queues.by_name[queue_name].queue.grant_send_messages(self.function)
        if function.consumes is not None:
            _consume(self.target, function, QUEUES_BY_NAME[function.consumes], queues)
        self.stream_failures: DeadLetterQueue | None = None
        stream = function.streams_from
        if stream is not None:
            self.stream_failures = _consume_stream(self, self.target, function, stream, tables)
        for secret_name in function.secrets:
            secrets.by_name[secret_name].grant_read(self.function)
        for bucket_name in function.writes_to:
            _grant_put_objects(self.function, buckets.by_name[bucket_name])
        if function.administers is not None:
            _grant_administration(self.function, user_pools.by_name[function.administers].user_pool)
        if function.publishes_to is not None:
            # events:PutEvents on this one bus: it can neither put on another bus nor change rules.
            event_buses.by_name[function.publishes_to].event_bus.grant_put_events_to(self.function)
        if function.sends_email_from is not None:
            _grant_send_email(
                self.function,
                email_senders.by_name[function.sends_email_from],
                email_senders.sandbox_recipient_arns,
            )
        _acknowledge_findings(self.function, role, function, tables, buckets)


def function_physical_name(prefix: str, function: Function) -> str:
    """`products` in stage `Shopfloor-Dev` -> `Shopfloor-Dev-products`. Named after the stage, not
    left to CloudFormation: the edge stack reads each function's ARN (or its alias's) through a
    weak reference, which CloudFormation resolves when the edge stack is created or updated, and a
    deploy skips a stack whose template has not changed. So a context's stack destroyed and made
    again gives its functions the ARNs the edge stack already holds."""
    name = f"{prefix}-{function.name}"
    if len(name) > FUNCTION_NAME_MAX_LENGTH:
        raise ValueError(
            f"function {function.name} would be named {name!r}, longer than the {FUNCTION_NAME_MAX_LENGTH} "
            "characters Lambda allows: use a shorter app or stage name"
        )
    return name


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


def _consume(lambda_function: lambda_.IFunction, function: Function, queue: Queue, queues: Queues) -> None:
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


def check_stream_consumer(function: Function, table: Table) -> None:
    """A function can only consume the stream of a table the topology gives one."""
    if not table.stream:
        raise ValueError(f"{function.name} streams from {table.name}, which declares no stream (stream=True)")


def _consume_stream(
    scope: Construct,
    lambda_function: lambda_.IFunction,
    function: Function,
    stream: TableStream,
    tables: Tables,
) -> DeadLetterQueue:
    """A DynamoDB stream event source as the topology declares it, from the oldest record kept.

    A failing batch is halved until the failing record is alone; a record still failing after its
    retries, or older than the maximum age, is described in the dead-letter queue (with an alarm)
    and the shard moves on. The stream keeps records for 24 hours: replay from there, or rebuild
    from the table, before they expire. The event source also grants reading the stream, and CDK
    grants the function sending to the dead-letter queue (Lambda sends with the function's role).
    """
    check_stream_consumer(function, TABLES_BY_NAME[stream.table])
    event_names = lambda_.FilterRule.or_(*stream.event_names)
    failures = DeadLetterQueue(
        scope,
        "StreamFailures",
        retention=Duration.days(stream.failures_retention_days),
        purpose=f"{function.name}: {stream.table} stream records failed {stream.retry_attempts} retries "
        "or grew too old",
    )
    nag.acknowledge(
        failures.queue,
        nag.QUEUE_WITHOUT_DEAD_LETTER_QUEUE,
        "This queue is itself the on-failure destination of the function's DynamoDB stream event "
        "source; cdk-nag only recognises SQS redrive policies as dead-letter use.",
    )
    lambda_function.add_event_source(
        event_sources.DynamoEventSource(
            tables.by_name[stream.table],
            starting_position=lambda_.StartingPosition.TRIM_HORIZON,
            batch_size=stream.batch_size,
            max_batching_window=Duration.seconds(stream.batching_window_seconds),
            bisect_batch_on_error=True,
            retry_attempts=stream.retry_attempts,
            max_record_age=Duration.seconds(stream.max_record_age_seconds),
            report_batch_item_failures=True,
            filters=[lambda_.FilterCriteria.filter({"eventName": event_names})],
            on_failure=event_sources.SqsDlq(failures.queue),
        )
    )
    return failures


def _grant_put_objects(lambda_function: lambda_.Function, bucket: s3.Bucket) -> None:
    """PutObject on the bucket's objects, nothing else (`grant_put` also allows tagging, retention
    and legal holds, which no function here sets)."""
    iam.Grant.add_to_principal(
        grantee=lambda_function, actions=[PUT_OBJECT], resource_arns=[bucket.arn_for_objects("*")]
    )


def _grant_administration(lambda_function: lambda_.Function, user_pool: cognito.UserPool) -> None:
    """The admin actions of sign-up (USER_POOL_ADMIN_ACTIONS) on this one pool, nothing else:
    it can neither list nor read users, nor change their attributes, nor touch another pool."""
    user_pool.grant(lambda_function, *USER_POOL_ADMIN_ACTIONS)


def _grant_send_email(
    lambda_function: lambda_.Function, sender: TopologyEmailSender, sandbox_recipient_arns: Sequence[str]
) -> None:
    """ses:SendEmail (SESv2 SendEmail's action), nothing else of SES, on the sender's identity: SES
    authorizes a send against the identity of its From address, so it can send from that address
    only. Out of the SES sandbox, that is the whole grant.

    In the sandbox SES also authorizes the send against each recipient's identity (recipients must
    be verified identities of the account): the verified recipients the deployment names get a
    second statement, on their identities, valid only while the From address is the sender's
    (ses:FromAddress), so that their identities serve as recipients and never as a From address.
    """
    iam.Grant.add_to_principal(
        grantee=lambda_function, actions=[SES_SEND_EMAIL], resource_arns=[sender.identity_arn]
    )
    if sandbox_recipient_arns:
        lambda_function.add_to_role_policy(
            iam.PolicyStatement(
                actions=[SES_SEND_EMAIL],
                resources=list(sandbox_recipient_arns),
                conditions={"StringEquals": {SES_FROM_ADDRESS_CONDITION_KEY: sender.address}},
            )
        )


def _acknowledge_findings(
    lambda_function: lambda_.Function, role: iam.Role, function: Function, tables: Tables, buckets: Buckets
) -> None:
    nag.acknowledge(
        lambda_function,
        nag.LATEST_RUNTIME,
        f"Pinned to Python {PYTHON_VERSION}: the dependency layer's compiled wheels (pydantic-core) are "
        "built for that CPython. Moving to a newer runtime "
        "is a deliberate change of infra.constants.PYTHON_VERSION, tested end to end.",
    )
    # Active tracing adds the X-Ray statement to the role's default policy; nothing else there
    # may use a wildcard resource but a stream consumer's ListStreams (tests/infra asserts it).
    policy = role.node.find_child("DefaultPolicy")
    reason = (
        "xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions: "
        "the X-Ray documentation requires Resource '*' for them."
    )
    if function.streams_from is not None:
        reason += (
            " dynamodb:ListStreams, which CDK's DynamoEventSource grants on '*' and Lambda checks when it "
            "creates the event source mapping, lists stream ARNs only; the records can be read from "
            f"the {function.streams_from.table} stream alone."
        )
    nag.acknowledge(policy, nag.WILDCARD_RESOURCE, reason)
    for table_name in function.tables:
        indexes = TABLES_BY_NAME[table_name].indexes
        if indexes:
            nag.acknowledge(
                policy,
                nag.wildcard_resource(tables.by_name[table_name], "Arn", "/index/*", grantee=lambda_function),
                f"Queries on the {table_name} table's global secondary indexes "
                f"({', '.join(index.name for index in indexes)}) need their ARNs, which CDK's table grant "
                "writes as <table ARN>/index/*: the indexes of this one table, with the table's actions.",
            )
    for bucket_name in function.writes_to:
        nag.acknowledge(
            policy,
            nag.wildcard_resource(buckets.by_name[bucket_name], "Arn", "/*", grantee=lambda_function),
            f"s3:PutObject alone, on the objects of the {bucket_name} bucket: their keys are made at "
            "run time (one object per record), so the grant names the bucket's objects, not each key.",
        )
