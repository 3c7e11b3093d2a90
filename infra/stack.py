"""The Shopfloor stack: tables, queues, secrets, buckets, user pools, layers, functions, schedules,
the API, and the dashboard and alarms that watch them, composed from infra.topology."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import CfnOutput, RemovalPolicy, Stack
from constructs import Construct

from infra.constants import (
    ALARM_TOPIC_OUTPUT,
    API_URL_OUTPUT,
    REMOVAL_POLICY_CONTEXT_KEY,
    REMOVAL_POLICY_DESTROY,
    REMOVAL_POLICY_RETAIN,
    STACK_DESCRIPTION,
)
from infra.constructs.api import Api
from infra.constructs.buckets import Buckets
from infra.constructs.buckets import output_id as bucket_output_id
from infra.constructs.functions import Functions
from infra.constructs.layers import Layers
from infra.constructs.observability import Observability, alarm_email_from_context
from infra.constructs.queues import Queues
from infra.constructs.schedules import Schedules
from infra.constructs.secrets import Secrets
from infra.constructs.secrets import output_id as secret_output_id
from infra.constructs.services import service_urls_from_context
from infra.constructs.tables import Tables
from infra.constructs.user_pools import UserPools
from infra.constructs.user_pools import client_output_id as user_pool_client_output_id
from infra.constructs.user_pools import output_id as user_pool_output_id
from infra.topology import BUCKETS, SECRETS, USER_POOLS

_REMOVAL_POLICIES = {
    REMOVAL_POLICY_RETAIN: RemovalPolicy.RETAIN,
    REMOVAL_POLICY_DESTROY: RemovalPolicy.DESTROY,
}


class ShopfloorStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        dependency_layer_dir: Path,
        description: str = STACK_DESCRIPTION,
    ) -> None:
        super().__init__(scope, construct_id, description=description)
        removal_policy = removal_policy_from_context(self)
        self.service_urls = service_urls_from_context(self)
        self.tables = Tables(self, "Tables", removal_policy=removal_policy)
        self.queues = Queues(self, "Queues")
        self.secrets = Secrets(self, "Secrets", removal_policy=removal_policy)
        self.buckets = Buckets(self, "Buckets", removal_policy=removal_policy)
        self.user_pools = UserPools(self, "UserPools", removal_policy=removal_policy)
        self.layers = Layers(self, "Layers", dependency_layer_dir=dependency_layer_dir)
        self.functions = Functions(
            self,
            "Functions",
            tables=self.tables,
            queues=self.queues,
            secrets=self.secrets,
            buckets=self.buckets,
            user_pools=self.user_pools,
            service_urls=self.service_urls,
            layers=self.layers.all,
            removal_policy=removal_policy,
        )
        self.schedules = Schedules(self, "Schedules", functions=self.functions.by_name)
        self.api = Api(
            self,
            "Api",
            functions=self.functions.by_name,
            user_pools=self.user_pools,
            removal_policy=removal_policy,
        )
        self.observability = Observability(
            self,
            "Observability",
            functions=self.functions,
            tables=self.tables,
            queues=self.queues,
            schedules=self.schedules,
            api=self.api,
            removal_policy=removal_policy,
            alarm_email=alarm_email_from_context(self),
        )
        CfnOutput(self, API_URL_OUTPUT, value=self.api.url, description="The base URL of the REST API.")
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


def removal_policy_from_context(scope: Construct) -> RemovalPolicy:
    """What happens to data (tables, buckets, user pools, logs) when the stack or a resource goes:
    kept unless asked."""
    value = scope.node.try_get_context(REMOVAL_POLICY_CONTEXT_KEY) or REMOVAL_POLICY_RETAIN
    if value not in _REMOVAL_POLICIES:
        allowed = " or ".join(_REMOVAL_POLICIES)
        raise ValueError(f"context {REMOVAL_POLICY_CONTEXT_KEY}={value!r}: expected {allowed}")
    return _REMOVAL_POLICIES[value]
