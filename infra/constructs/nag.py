"""Acknowledging cdk-nag findings (v3: CDK's own `Validations.acknowledge`), always with a reason.

cdk-nag v3 is a policy-validation plugin: it reads acknowledgements from construct metadata on
the flagged resource or any of its ancestors, one finding id at a time (no prefix matching).
"""

from __future__ import annotations

from typing import Final

from aws_cdk import Acknowledgment, CfnElement, Stack, Validations
from constructs import IConstruct

AUTHORIZATION: Final = "AwsSolutions-APIG4"
COGNITO_PASSWORD_POLICY: Final = "AwsSolutions-COG1"
COGNITO_MFA: Final = "AwsSolutions-COG2"
COGNITO_PLUS_TIER: Final = "AwsSolutions-COG8"
LATEST_RUNTIME: Final = "AwsSolutions-L1"
SECRET_ROTATION: Final = "AwsSolutions-SMG4"
QUEUE_WITHOUT_DEAD_LETTER_QUEUE: Final = "AwsSolutions-SQS3"
BUCKET_ACCESS_LOGS: Final = "AwsSolutions-S1"
CLOUDFRONT_GEO_RESTRICTIONS: Final = "AwsSolutions-CFR1"
CLOUDFRONT_WAF: Final = "AwsSolutions-CFR2"
CLOUDFRONT_TLS_VERSION: Final = "AwsSolutions-CFR4"
WILDCARD_RESOURCE: Final = "AwsSolutions-IAM5[Resource::*]"


def acknowledge(scope: IConstruct, finding: str, reason: str) -> None:
    Validations.of(scope).acknowledge(Acknowledgment(id=finding, reason=reason))


def wildcard_resource(resource: IConstruct, attribute: str, suffix: str) -> str:
    """The IAM5 finding for a grant on `<resource's attribute><suffix>`, e.g. a bucket's `Arn` + `/*`:
    cdk-nag names the resource by its logical id, which only the stack knows."""
    element = resource.node.default_child
    if not isinstance(element, CfnElement):
        raise TypeError(f"{resource.node.path} has no CloudFormation resource of its own")
    logical_id = Stack.of(element).get_logical_id(element)
    return f"AwsSolutions-IAM5[Resource::<{logical_id}.{attribute}>{suffix}]"
