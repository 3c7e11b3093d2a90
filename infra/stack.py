"""The Shopfloor stack: tables, queues, event buses, e-mail senders, secrets, buckets, user pools,
layers, functions, schedules, the API, the web pages with the API behind one CloudFront
distribution, the dashboard and alarms that watch them, and, where the stage rolls out gradually,
the CodeDeploy deployments those alarms roll back; composed from infra.topology; and the stage
(infra.stages) that holds it."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from aws_cdk import CfnOutput, Stack, Stage
from constructs import Construct

from infra.constants import (
    ALARM_TOPIC_OUTPUT,
    API_URL_OUTPUT,
    REMOVAL_POLICY_CONTEXT_KEY,
    SITE_URL_OUTPUT,
    STACK_DESCRIPTION,
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
    archive_arn_output_id,
    archive_name_output_id,
    bus_arn_output_id,
    bus_name_output_id,
    rule_arn_output_id,
)
from infra.constructs.functions import Functions
from infra.constructs.layers import Layers
from infra.constructs.observability import Observability, alarm_email_from_context
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
from infra.topology import APP_NAME, BUCKETS, EMAIL_SENDERS, EVENT_BUSES, SECRETS, USER_POOLS


class ShopfloorStage(Stage):
    """A stage (`Dev`, `Prod`) of the app: its stack, in the stage's account and region, with the
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
        self.stack = ShopfloorStack(
            self, APP_NAME, settings=settings, dependency_layer_dir=dependency_layer_dir
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


class ShopfloorStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: StageSettings,
        dependency_layer_dir: Path,
        description: str = STACK_DESCRIPTION,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            stack_name=settings.stack_name,
            description=description,
            termination_protection=settings.termination_protection,
        )
        self.settings = settings
        removal_policy = settings.removal_policy
        self.service_urls = service_urls_from_context(self)
        self.context_values = context_values_from_context(self)
        self.tables = Tables(
            self,
            "Tables",
            removal_policy=removal_policy,
            deletion_protection=settings.deletion_protection,
        )
        self.queues = Queues(self, "Queues")
        self.event_buses = EventBuses(self, "EventBuses", queues=self.queues)
        self.email_senders = EmailSenders(
            self,
            "EmailSenders",
            addresses=sender_addresses_from_context(self),
            sandbox_recipients=sandbox_recipients_from_context(self),
        )
        self.secrets = Secrets(self, "Secrets", removal_policy=removal_policy)
        self.buckets = Buckets(self, "Buckets", removal_policy=removal_policy)
        self.user_pools = UserPools(
            self,
            "UserPools",
            removal_policy=removal_policy,
            deletion_protection=settings.deletion_protection,
        )
        self.layers = Layers(self, "Layers", dependency_layer_dir=dependency_layer_dir)
        self.functions = Functions(
            self,
            "Functions",
            tables=self.tables,
            queues=self.queues,
            secrets=self.secrets,
            buckets=self.buckets,
            user_pools=self.user_pools,
            event_buses=self.event_buses,
            email_senders=self.email_senders,
            service_urls=self.service_urls,
            context_values=self.context_values,
            layers=self.layers,
            removal_policy=removal_policy,
            log_retention=settings.log_retention,
            aliased=settings.canary is not None,
        )
        self.schedules = Schedules(self, "Schedules", functions=self.functions.targets)
        self.api = Api(
            self,
            "Api",
            functions=self.functions.targets,
            user_pools=self.user_pools,
            removal_policy=removal_policy,
            access_log_retention=settings.access_log_retention,
        )
        self.site = Site(
            self,
            "Site",
            api=self.api.http_api,
            access_logs=self.buckets.access_logs,
            removal_policy=removal_policy,
            log_retention=settings.log_retention,
        )
        self.observability = Observability(
            self,
            "Observability",
            functions=self.functions,
            tables=self.tables,
            queues=self.queues,
            event_buses=self.event_buses,
            schedules=self.schedules,
            api=self.api,
            removal_policy=removal_policy,
            alarm_email=alarm_email_from_context(self),
        )
        # After the alarms it rolls back on; None where a deploy takes effect at once (dev).
        self.rollout = (
            None
            if settings.canary is None
            else Rollout(
                self,
                "Rollout",
                aliases=self.functions.aliases,
                alarms=self.observability.rollback_alarms,
                canary=settings.canary,
            )
        )
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
        CfnOutput(
            self,
            ALARM_TOPIC_OUTPUT,
            value=self.observability.topic.topic_arn,
            description="Every alarm notifies this SNS topic; subscribe with `-c alarmEmail=<address>` "
            "or `aws sns subscribe --topic-arn <this ARN> ...`.",
        )
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
        """What `aws events start-replay` needs: the archive's ARN, the bus's ARN and a rule's."""
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
            for rule in bus.rules:
                CfnOutput(
                    self,
                    rule_arn_output_id(rule),
                    value=created.rules[rule.name].rule.rule_arn,
                    description=f"The {rule.name} rule ({rule.source} to the {rule.queue} queue): a replay's "
                    "FilterArns, to replay to this rule alone.",
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
