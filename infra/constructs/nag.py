"""Acknowledging cdk-nag findings (v3: CDK's own `Validations.acknowledge`), always with a reason.

cdk-nag v3 is a policy-validation plugin: it reads acknowledgements from construct metadata on
the flagged resource or any of its ancestors, one finding id at a time (no prefix matching).
"""

from __future__ import annotations

from typing import Final

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct

AUTHORIZATION: Final = "AwsSolutions-APIG4"
COGNITO_AUTHORIZER: Final = "AwsSolutions-COG4"
WAF: Final = "AwsSolutions-APIG3"
LATEST_RUNTIME: Final = "AwsSolutions-L1"
SECRET_ROTATION: Final = "AwsSolutions-SMG4"
QUEUE_WITHOUT_DEAD_LETTER_QUEUE: Final = "AwsSolutions-SQS3"
WILDCARD_RESOURCE: Final = "AwsSolutions-IAM5[Resource::*]"
API_GATEWAY_LOGS_MANAGED_POLICY: Final = (
    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
    "AmazonAPIGatewayPushToCloudWatchLogs]"
)


def acknowledge(scope: IConstruct, finding: str, reason: str) -> None:
    Validations.of(scope).acknowledge(Acknowledgment(id=finding, reason=reason))
