"""Gradual rollout (prod): CodeDeploy moves each function's live alias to its new version, and moves
it back by itself when that function's alarms fire (errors; p99 duration against its timeout) or the
deployment fails.

- In each stack of functions (infra.stack): one CodeDeploy application, one deployment group per
  function, and one service role they share (a role per group would add a role per function, each
  granting the same). The role may read and move the live aliases and read the alarms, what
  AWSCodeDeployRoleForLambdaLimited allows for a deployment without hooks, but on these aliases
  alone: CDK would attach that AWS-managed policy (every alias of the account, S3 revisions,
  CodeDeployHook_* functions), and no role here uses one.
- API functions (those that serve a path) take the stage's canary (`Canary`: 10 % of requests for
  5 minutes, then all of them): the API brings them steady traffic, so a few minutes at 10 % show a
  broken version while most requests still reach the old one.
- Queue and stream consumers and the scheduled dispatcher take `CONSUMER_DEPLOYMENT`: 10 % more of
  their invocations every minute, over 10 minutes. Their traffic comes in batches (a queue drains,
  a stream ticks) or once a minute (the schedule): a 5-minute 10 % canary often gives the new
  version no invocation at all, and promotes it unseen. Linear shifting hands the new version a
  growing share: the dispatcher's nine runs before the last step all miss it with a probability of
  0.9 x 0.8 x ... x 0.1, under 0.04 %; the ten minutes span two of the alarms' 5-minute periods.
  A consumer's failure costs a delay, not a request: SQS redelivers the message and the stream
  retries the batch, most likely on the old version. All at once would give the alarms no time.

The alarms are observability's own (`RollbackAlarms`), not copies; the alias is functions'
(`Functions.aliases`). A stage without a canary (dev) has neither aliases nor this construct.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from aws_cdk import Duration
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.constructs import nag
from infra.constructs.naming import construct_id
from infra.constructs.observability import RollbackAlarms
from infra.stages import Canary
from infra.topology import FUNCTIONS, path_owners

CONSUMER_DEPLOYMENT: Final = codedeploy.LambdaDeploymentConfig.LINEAR_10_PERCENT_EVERY_1_MINUTE
# What CodeDeploy does to a Lambda alias during a deployment (AWSCodeDeployRoleForLambdaLimited's).
ALIAS_ACTIONS: Final = ("lambda:GetAlias", "lambda:UpdateAlias", "lambda:GetProvisionedConcurrencyConfig")
DESCRIBE_ALARMS: Final = "cloudwatch:DescribeAlarms"


def api_function_names() -> frozenset[str]:
    """The functions the API invokes: those that serve a path."""
    return frozenset(owner.name for owner in path_owners().values())


class Rollout(Construct):
    """A deployment group per function of `aliases` (a stack's), by function name, in one application."""

    def __init__(
        self,
        scope: Construct,
        construct_id_: str,
        *,
        aliases: Mapping[str, lambda_.Alias],
        alarms: Mapping[str, RollbackAlarms],
        canary: Canary,
    ) -> None:
        super().__init__(scope, construct_id_)
        self.application = codedeploy.LambdaApplication(self, "Application")
        self.role = iam.Role(
            self,
            "DeploymentRole",
            assumed_by=iam.ServicePrincipal("codedeploy.amazonaws.com"),
            description="Shifts the functions' live aliases between versions, and reads their alarms.",
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=list(ALIAS_ACTIONS), resources=[alias.function_arn for alias in aliases.values()]
            )
        )
        self.role.add_to_policy(iam.PolicyStatement(actions=[DESCRIBE_ALARMS], resources=["*"]))
        self.api_deployment = codedeploy.LambdaDeploymentConfig(
            self,
            "ApiCanary",
            traffic_routing=codedeploy.TimeBasedCanaryTrafficRouting(
                percentage=canary.percent, interval=Duration.minutes(canary.minutes)
            ),
        )
        api_functions = api_function_names()
        self.deployment_groups: dict[str, codedeploy.LambdaDeploymentGroup] = {
            function.name: codedeploy.LambdaDeploymentGroup(
                self,
                construct_id(function.name, "Deployment"),
                application=self.application,
                alias=aliases[function.name],
                # CDK attaches its AWS-managed policy to the group's role; this one keeps its own.
                role=self.role.without_policy_updates(),
                deployment_config=(
                    self.api_deployment if function.name in api_functions else CONSUMER_DEPLOYMENT
                ),
                alarms=list(alarms[function.name].all),
                auto_rollback=codedeploy.AutoRollbackConfig(failed_deployment=True, deployment_in_alarm=True),
            )
            for function in FUNCTIONS
            if function.name in aliases
        }
        nag.acknowledge(
            self.role.node.find_child("DefaultPolicy"),
            nag.WILDCARD_RESOURCE,
            "cloudwatch:DescribeAlarms is a list call: CodeDeploy polls the deployment group's alarms by "
            "name with it, and AWS's own CodeDeploy policy for Lambda grants it on '*'; it reads alarm "
            "states only.",
        )
