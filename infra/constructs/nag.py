"""Acknowledging cdk-nag findings (v3: CDK's own `Validations.acknowledge`), always with a reason.

cdk-nag v3 is a policy-validation plugin: it reads acknowledgements from construct metadata on
the flagged resource or any of its ancestors, one finding id at a time (no prefix matching).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Final

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
_NON_ALPHANUMERIC: Final = re.compile(r"[^A-Za-z0-9]")


def acknowledge(scope: IConstruct, finding: str, reason: str) -> None:
    Validations.of(scope).acknowledge(Acknowledgment(id=finding, reason=reason))


def wildcard_resource(resource: IConstruct, attribute: str, suffix: str, *, grantee: IConstruct) -> str:
    """The IAM5 finding for a grant to `grantee` on `<resource's attribute><suffix>`, e.g. a bucket's
    `Arn` + `/*`. cdk-nag names the resource by its logical id, which only the stack knows; from
    another stack, by the reference that stack reads it through (`cross_stack_reference`)."""
    element = resource.node.default_child
    if not isinstance(element, CfnElement):
        raise TypeError(f"{resource.node.path} has no CloudFormation resource of its own")
    producer = Stack.of(element)
    logical_id = producer.get_logical_id(element)
    if Stack.of(grantee) is producer:
        return f"AwsSolutions-IAM5[Resource::<{logical_id}.{attribute}>{suffix}]"
    reference = json.dumps(cross_stack_reference(producer, logical_id, attribute), separators=(",", ":"))
    return f"AwsSolutions-IAM5[Resource::{reference}{suffix}]"


def cross_stack_reference(producer: Stack, logical_id: str, attribute: str) -> dict[str, Any]:
    """How a stack reads `Fn::GetAtt [logical_id, attribute]` of `producer`: with weak references
    (cdk.json's `@aws-cdk/core:defaultCrossStackReferences`), CDK publishes the value as an output of
    the producer, `Publish/Output<the reference as JSON>`, read with `Fn::GetStackOutput`. The
    output's logical id is CDK's `makeUniqueId` of that path (aws-cdk-lib core/lib/private/refs.js
    and uniqueid.js): its components without non-alphanumerics, then the first 8 hex digits of the
    MD5 of the path, uppercased. A CDK that names it otherwise fails the synth with this finding."""
    components = [
        "Publish",
        "Output" + json.dumps({"Fn::GetAtt": [logical_id, attribute]}, separators=(",", ":")),
    ]
    digest = hashlib.md5("/".join(components).encode(), usedforsecurity=False).hexdigest()[:8].upper()
    output = "".join(_NON_ALPHANUMERIC.sub("", component) for component in components) + digest
    return {
        "Fn::GetStackOutput": {
            "StackName": producer.stack_name,
            "Region": producer.resolve(producer.region),
            "OutputName": output,
        }
    }
