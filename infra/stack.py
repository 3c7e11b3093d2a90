"""The stacks of a stage, composed from infra.topology, and the stage (infra.stages) that holds them.

A stage is seven stacks, `Shopfloor-<Stage>-<Part>` (STACK_PARTS), deployed in the order their
references make. A reference is weak (cdk.json's `@aws-cdk/core:defaultCrossStackReferences`): the
stack that holds the resource publishes the value as an output, and the reader reads it with
`Fn::GetStackOutput`; no export ties the two, so a stack that stops reading a value never blocks
the deploy of the one that published it.

- **Data**: everything that holds data, and nothing else: the tables, the buckets (the warranty
  archive, the server access logs, CloudFront's logs), the user pool, the event bus with its
  archive, the secret, the SES identity (its verification is a person's click). It references no
  other stack, so its resources' logical ids and retention depend on no other stack; in prod it is
  the one stack with termination protection, and the others may be destroyed and made again.
- **Platform**: what every context shares: the alarm topic, and the watch over the tables.
- Every stack's queues (messages in flight) follow the stage's removal policy: prod keeps them.
- **Catalog, Warranties, Factories, Shop**: a bounded context each (CONTEXT_STACKS): its layers
  (the dependencies, the platform's code and its own), functions, queues, schedules, event rules,
  dashboard and alarms, and, in a stage with a canary, its CodeDeploy deployments.
- **Edge**: the HTTP API, CloudFront and the pages, and the functions of the API itself (operations:
  health, docs).

A change to one context's code changes that context's stack alone: its layer and its functions'
code are assets of that stack only, and what other stacks reference of it (function and alias ARNs)
does not change with its code.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Final

from aws_cdk import CfnOutput, RemovalPolicies, Stack, Stage
from constructs import Construct

from infra.constants import (
    ALARM_TOPIC_OUTPUT,
    API_URL_OUTPUT,
    REMOVAL_POLICY_CONTEXT_KEY,
    SITE_URL_OUTPUT,
)
from infra.constructs.api import Api
from infra.constructs.buckets import Buckets
from infra.constructs.buckets import output_id as bucket_output_id
from infra.constructs.email import (
    EmailSenders,
    context_values_from_context,
    identity_arn_output_id,
    identity_output_id,
    sandbox_recipients_from_context,
    sender_addresses_from_context,
)
from infra.constructs.event_buses import (
    EventBuses,
    EventRules,
    archive_arn_output_id,
    archive_name_output_id,
    bus_arn_output_id,
    bus_name_output_id,
    rule_arn_output_id,
)
from infra.constructs.functions import Functions
from infra.constructs.layers import Layers
from infra.constructs.naming import construct_id
from infra.constructs.observability import AlarmTopic, Observability, alarm_email_from_context
from infra.constructs.queues import Queues
from infra.constructs.rollout import Rollout
from infra.constructs.schedules import Schedules
from infra.constructs.secrets import Secrets
from infra.constructs.secrets import output_id as secret_output_id
from infra.constructs.services import service_urls_from_context
from infra.constructs.site import Site
from infra.constructs.tables import Tables
from infra.constructs.user_pools import UserPools
from infra.constructs.user_pools import client_output_id as user_pool_client_output_id
from infra.constructs.user_pools import output_id as user_pool_output_id
from infra.stages import STAGES, StageSettings
from infra.topology import (
    BOUNDED_CONTEXTS,
    BUCKETS,
    CATALOG_CONTEXT,
    EMAIL_SENDERS,
    EVENT_BUSES,
    FACTORIES_CONTEXT,
    FUNCTIONS,
    OPERATIONS_CONTEXT,
    QUEUES_BY_NAME,
    SECRETS,
    SHOP_CONTEXT,
    USER_POOLS,
    WARRANTIES_CONTEXT,
    BoundedContext,
    Function,
    Queue,
)

SQS_QUEUE: Final = "AWS::SQS::Queue"
DATA: Final = "Data"
PLATFORM: Final = "Platform"
EDGE: Final = "Edge"
# The bounded contexts with a stack of their own, named after them (`catalog` -> `Catalog`).
CONTEXT_STACKS: Final[tuple[BoundedContext, ...]] = (
    CATALOG_CONTEXT,
    WARRANTIES_CONTEXT,
    FACTORIES_CONTEXT,
    SHOP_CONTEXT,
)
# The contexts whose functions the edge stack holds: the API's own (health, its documentation).
EDGE_CONTEXTS: Final[tuple[BoundedContext, ...]] = (OPERATIONS_CONTEXT,)
# Every stack of a stage, in deployment order: its part of the stack's name (`Shopfloor-Dev-Shop`).
STACK_PARTS: Final[tuple[str, ...]] = (
    DATA,
    PLATFORM,
    *(construct_id(context.name) for context in CONTEXT_STACKS),
    EDGE,
)
# The stacks that hold data: protected from termination where the stage says so.
DATA_STACK_PARTS: Final = frozenset({DATA})

_DESCRIPTIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        DATA: "Shopfloor's data: tables, buckets, the user pool, the event bus and its archive, the secret "
        "and the SES identity. No other stack holds data.",
        PLATFORM: "Shopfloor's platform: the alarm topic every stack notifies, and the tables' alarms.",
        EDGE: "Shopfloor's edge: the HTTP API, the CloudFront distribution with the pages, health and docs.",
        **{
            construct_id(context.name): f"Shopfloor's {context.name} context: its functions, queues, "
            "alarms and deployments."
            for context in CONTEXT_STACKS
        },
    }
)
if set(CONTEXT_STACKS) | set(EDGE_CONTEXTS) != set(BOUNDED_CONTEXTS) or set(CONTEXT_STACKS) & set(
    EDGE_CONTEXTS
):
    raise ValueError("every bounded context runs in exactly one stack: its own, or the edge")


def functions_of(contexts: Sequence[BoundedContext]) -> tuple[Function, ...]:
    """The topology's functions of `contexts`."""
    return tuple(function for function in FUNCTIONS if function.context in contexts)


def queues_of(functions: Sequence[Function]) -> tuple[Queue, ...]:
    """The queues `functions` consume: a queue lives in the stack of its consumer. One that a function
    of another stack sends to would tie the two stacks' deployments together: refused."""
    names = {function.consumes for function in functions if function.consumes is not None}
    for function in functions:
        for queue in function.sends_to:
            if queue not in names:
                raise ValueError(
                    f"{function.name} sends to {queue}, which a function of another stack consumes"
                )
    return tuple(queue for name, queue in QUEUES_BY_NAME.items() if name in names)


class ShopfloorStage(Stage):
    """A stage (`Dev`, `Prod`) of the app: its stacks, in the stage's account and region, with the
    stage's e-mail settings as the defaults of their context keys (a `-c` value wins)."""

    def __init__(
        self,
        scope: Construct,
        *,
        settings: StageSettings,
        dependency_layer_dir: Path,
        environ: Mapping[str, str] = os.environ,
    ) -> None:
        super().__init__(scope, settings.construct_id, env=settings.environment(environ))
        set_context_defaults(self, settings)
        self.settings = settings
        self.data = DataStack(self, settings=settings)
        self.platform = PlatformStack(self, settings=settings, data=self.data)
        self.contexts: Mapping[str, ContextStack] = MappingProxyType(
            {
                context.name: ContextStack(
                    self,
                    settings=settings,
                    context=context,
                    data=self.data,
                    platform=self.platform,
                    dependency_layer_dir=dependency_layer_dir,
                )
                for context in CONTEXT_STACKS
            }
        )
        self.edge = EdgeStack(
            self,
            settings=settings,
            data=self.data,
            platform=self.platform,
            contexts=tuple(self.contexts.values()),
            dependency_layer_dir=dependency_layer_dir,
        )
        # In STACK_PARTS' order.
        self.stacks: tuple[Stack, ...] = (self.data, self.platform, *self.contexts.values(), self.edge)
        # The stacks of functions, and the one that holds each function, by function name.
        self.function_stacks: tuple[FunctionsStack, ...] = (*self.contexts.values(), self.edge)
        self.stack_of_function: Mapping[str, FunctionsStack] = MappingProxyType(
            {name: stack for stack in self.function_stacks for name in stack.functions.by_name}
        )


def set_context_defaults(stage: Construct, settings: StageSettings) -> None:
    """Give `stage` the settings' values of the context keys that neither `-c` nor cdk.json sets
    (context set on a construct is read before the app's, so only those); refuse the context key
    that no longer decides anything."""
    if stage.node.try_get_context(REMOVAL_POLICY_CONTEXT_KEY) is not None:
        raise ValueError(
            f"context {REMOVAL_POLICY_CONTEXT_KEY} is no longer read: the stage decides what happens "
            "to data (infra/stages.py: dev destroys it, prod retains it); deploy dev to throw it away"
        )
    for key, value in settings.context_defaults().items():
        if stage.node.try_get_context(key) is None:
            stage.node.set_context(key, value)


def add_stages(
    app: Construct,
    *,
    dependency_layer_dir: Path,
    stages: Sequence[StageSettings] = STAGES,
    environ: Mapping[str, str] = os.environ,
) -> dict[str, ShopfloorStage]:
    """One stage per entry of `stages`, by stage name: what `cdk synth` writes."""
    return {
        settings.name: ShopfloorStage(
            app, settings=settings, dependency_layer_dir=dependency_layer_dir, environ=environ
        )
        for settings in stages
    }


class _PartStack(Stack):
    """One of a stage's stacks: `Shopfloor-<Stage>-<part>`, its construct id the part."""

    def __init__(self, scope: Construct, part: str, *, settings: StageSettings) -> None:
        super().__init__(
            scope,
            part,
            stack_name=settings.stack_name(part),
            description=_DESCRIPTIONS[part],
            termination_protection=settings.termination_protection and part in DATA_STACK_PARTS,
        )
        self.part = part
        self.settings = settings
        # Messages in flight are data too (an order's e-mails not sent yet, dead letters waiting for a
        # redrive): where the stage keeps its data, a queue outlives its stack, to be drained or
        # redriven by hand after the stack is made again.
        RemovalPolicies.of(self).apply(settings.removal_policy, apply_to_resource_types=[SQS_QUEUE])


class DataStack(_PartStack):
    """Everything that holds data (see the module's docstring), and the outputs an operator needs to
    reach it."""

    def __init__(self, scope: Construct, *, settings: StageSettings) -> None:
        super().__init__(scope, DATA, settings=settings)
        removal_policy = settings.removal_policy
        self.tables = Tables(
            self, "Tables", removal_policy=removal_policy, deletion_protection=settings.deletion_protection
        )
        self.buckets = Buckets(self, "Buckets", removal_policy=removal_policy)
        self.user_pools = UserPools(
            self,
            "UserPools",
            removal_policy=removal_policy,
            deletion_protection=settings.deletion_protection,
        )
        self.event_buses = EventBuses(self, "EventBuses", removal_policy=removal_policy)
        self.secrets = Secrets(self, "Secrets", removal_policy=removal_policy)
        self.email_senders = EmailSenders(
            self,
            "EmailSenders",
            addresses=sender_addresses_from_context(self),
            removal_policy=removal_policy,
            sandbox_recipients=sandbox_recipients_from_context(self),
        )
        self._outputs()

    def _outputs(self) -> None:
        for secret in SECRETS:
            CfnOutput(
                self,
                secret_output_id(secret),
                value=self.secrets.by_name[secret.name].secret_arn,
                description=f"{secret.description} Put it in with `aws secretsmanager put-secret-value "
                "--secret-id <this ARN> --secret-string <value>`.",
            )
        for bucket in BUCKETS:
            CfnOutput(
                self,
                bucket_output_id(bucket),
                value=self.buckets.by_name[bucket.name].bucket_name,
                description=f"{bucket.description} List it with `aws s3 ls s3://<this name>/ --recursive`.",
            )
        self._event_outputs()
        self._email_outputs()
        for pool in USER_POOLS:
            created = self.user_pools.by_name[pool.name]
            CfnOutput(
                self,
                user_pool_output_id(pool),
                value=created.user_pool.user_pool_id,
                description=f"The {pool.name} user pool, with the groups {', '.join(pool.groups)}. Put a "
                "user in one with `aws cognito-idp admin-add-user-to-group --user-pool-id <this id> "
                "--username <e-mail> --group-name <group>`.",
            )
            CfnOutput(
                self,
                user_pool_client_output_id(pool),
                value=created.client.user_pool_client_id,
                description=f"The app client of the {pool.name} user pool that the API signs users in "
                "through (USER_PASSWORD_AUTH, no secret).",
            )

    def _event_outputs(self) -> None:
        """What `aws events start-replay` needs: the archive's ARN and the bus's (a rule's ARN is an
        output of the stack that holds the rule)."""
        for bus in EVENT_BUSES:
            created = self.event_buses.by_name[bus.name]
            CfnOutput(
                self,
                bus_name_output_id(bus),
                value=created.event_bus.event_bus_name,
                description=f"{bus.description} Put a test event with `aws events put-events --entries "
                "EventBusName=<this name>,Source=...,DetailType=...,Detail='{...}'`.",
            )
            CfnOutput(
                self,
                bus_arn_output_id(bus),
                value=created.event_bus.event_bus_arn,
                description=f"The {created.physical_name} bus: a replay's destination "
                "(`aws events start-replay --destination Arn=<this ARN>,FilterArns=<a rule's ARN>`).",
            )
            CfnOutput(
                self,
                archive_name_output_id(bus),
                value=created.archive.archive_name,
                description=f"Every event of the {created.physical_name} bus, kept "
                f"{bus.archive_retention_days} days: `aws events describe-archive --archive-name <this>`.",
            )
            CfnOutput(
                self,
                archive_arn_output_id(bus),
                value=created.archive.archive_arn,
                description="The archive a replay reads "
                "(`aws events start-replay --event-source-arn <this ARN> ...`).",
            )

    def _email_outputs(self) -> None:
        for sender in EMAIL_SENDERS:
            created = self.email_senders.by_name[sender.name]
            CfnOutput(
                self,
                identity_output_id(sender),
                value=created.identity.email_identity_name,
                description=f"The SES identity {sender.name} sends from (context {sender.context_key}): "
                "SES e-mails it a verification link; nothing is sent until it is clicked. "
                "`aws sesv2 get-email-identity --email-identity <this address>`.",
            )
            CfnOutput(
                self,
                identity_arn_output_id(sender),
                value=created.identity_arn,
                description=f"The identity ARN the {sender.name} sender's functions may send from "
                "(ses:SendEmail on it alone).",
            )


class PlatformStack(_PartStack):
    """The alarm topic every stack's alarms notify, and the tables' dashboard and alarms."""

    def __init__(self, scope: Construct, *, settings: StageSettings, data: DataStack) -> None:
        super().__init__(scope, PLATFORM, settings=settings)
        self.alarm_topic = AlarmTopic(
            self,
            "AlarmTopic",
            removal_policy=settings.removal_policy,
            alarm_email=alarm_email_from_context(self),
        )
        self.topic = self.alarm_topic.topic
        email_failures = self.alarm_topic.email_failures
        self.observability = Observability(
            self,
            "Observability",
            topic=self.topic,
            tables=data.tables,
            dead_letters=({} if email_failures is None else {"alarm e-mails not delivered": email_failures}),
        )
        CfnOutput(
            self,
            ALARM_TOPIC_OUTPUT,
            value=self.topic.topic_arn,
            description="Every alarm notifies this SNS topic; subscribe with `-c alarmEmail=<address>` "
            "or `aws sns subscribe --topic-arn <this ARN> ...`.",
        )


class FunctionsStack(_PartStack):
    """A stack of functions (those of `contexts`): their layers, queues, event rules and schedules;
    `_watch` adds their dashboard, alarms and, with a canary, their deployments."""

    def __init__(
        self,
        scope: Construct,
        part: str,
        *,
        settings: StageSettings,
        contexts: Sequence[BoundedContext],
        data: DataStack,
        platform: PlatformStack,
        dependency_layer_dir: Path,
    ) -> None:
        super().__init__(scope, part, settings=settings)
        self.contexts = tuple(contexts)
        declared = functions_of(self.contexts)
        self.layers = Layers(
            self, "Layers", dependency_layer_dir=dependency_layer_dir, contexts=self.contexts
        )
        self.queues = Queues(self, "Queues", queues=queues_of(declared))
        self.event_rules = EventRules(self, "EventRules", event_buses=data.event_buses, queues=self.queues)
        self.functions = Functions(
            self,
            "Functions",
            functions=declared,
            tables=data.tables,
            queues=self.queues,
            secrets=data.secrets,
            buckets=data.buckets,
            user_pools=data.user_pools,
            event_buses=data.event_buses,
            email_senders=data.email_senders,
            service_urls=service_urls_from_context(self),
            context_values=context_values_from_context(self),
            layers=self.layers,
            removal_policy=settings.removal_policy,
            log_retention=settings.log_retention,
            aliased=settings.canary is not None,
        )
        self.schedules = Schedules(self, "Schedules", functions=self.functions.targets)
        self.platform = platform
        for _, rule in self.event_rules.declared:
            CfnOutput(
                self,
                rule_arn_output_id(rule),
                value=self.event_rules.by_name[rule.name].rule.rule_arn,
                description=f"The {rule.name} rule ({rule.source} to the {rule.queue} queue): a "
                "replay's FilterArns, to replay to this rule alone.",
            )

    def _watch(self, api: Api | None = None) -> None:
        self.observability = Observability(
            self,
            "Observability",
            topic=self.platform.topic,
            functions=self.functions,
            queues=self.queues if self.queues.by_name else None,
            event_rules=self.event_rules if self.event_rules.by_name else None,
            schedules=self.schedules if self.schedules.by_name else None,
            api=api,
        )
        # After the alarms it rolls back on; None where a deploy takes effect at once (dev).
        canary = self.settings.canary
        self.rollout = (
            None
            if canary is None
            else Rollout(
                self,
                "Rollout",
                aliases=self.functions.aliases,
                alarms=self.observability.rollback_alarms,
                canary=canary,
            )
        )


class ContextStack(FunctionsStack):
    """A bounded context's stack: `Shopfloor-Dev-Shop`."""

    def __init__(
        self,
        scope: Construct,
        *,
        settings: StageSettings,
        context: BoundedContext,
        data: DataStack,
        platform: PlatformStack,
        dependency_layer_dir: Path,
    ) -> None:
        super().__init__(
            scope,
            construct_id(context.name),
            settings=settings,
            contexts=(context,),
            data=data,
            platform=platform,
            dependency_layer_dir=dependency_layer_dir,
        )
        self.context = context
        self._watch()


class EdgeStack(FunctionsStack):
    """The HTTP API in front of every context's functions, the pages and CloudFront in front of both,
    and the API's own functions."""

    def __init__(
        self,
        scope: Construct,
        *,
        settings: StageSettings,
        data: DataStack,
        platform: PlatformStack,
        contexts: Sequence[FunctionsStack],
        dependency_layer_dir: Path,
    ) -> None:
        super().__init__(
            scope,
            EDGE,
            settings=settings,
            contexts=EDGE_CONTEXTS,
            data=data,
            platform=platform,
            dependency_layer_dir=dependency_layer_dir,
        )
        targets = {
            name: target for stack in (*contexts, self) for name, target in stack.functions.targets.items()
        }
        self.api = Api(
            self,
            "Api",
            functions=targets,
            user_pools=data.user_pools,
            removal_policy=settings.removal_policy,
            access_log_retention=settings.access_log_retention,
        )
        self.site = Site(
            self,
            "Site",
            api=self.api.http_api,
            log_bucket=data.buckets.cloudfront_logs,
            removal_policy=settings.removal_policy,
            log_retention=settings.log_retention,
        )
        self._watch(api=self.api)
        CfnOutput(
            self,
            API_URL_OUTPUT,
            value=self.api.url,
            description="The base URL of the HTTP API (its $default stage: no stage in the path).",
        )
        CfnOutput(
            self,
            SITE_URL_OUTPUT,
            value=self.site.url,
            description="The web pages; the API answers on the same domain (its paths go to the HTTP API), "
            "so the pages call it with relative URLs.",
        )
