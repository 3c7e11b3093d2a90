"""Every Secrets Manager secret of the topology; an operator puts its value in after deploying.

`aws secretsmanager put-secret-value --secret-id <the stack output's ARN> --secret-string <value>`
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from aws_cdk import RemovalPolicy
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.constructs import nag
from infra.constructs.naming import construct_id
from infra.topology import SECRETS, Secret


class Secrets(Construct):
    """The secrets, by their topology name (`offers-refresh-token`, ...)."""

    def __init__(self, scope: Construct, construct_id_: str, *, removal_policy: RemovalPolicy) -> None:
        super().__init__(scope, construct_id_)
        self.by_name: Mapping[str, secretsmanager.Secret] = MappingProxyType(
            {secret.name: _secret(self, secret, removal_policy) for secret in SECRETS}
        )

    @property
    def arns(self) -> dict[str, str]:
        """Each secret's ARN (a token until deploy time), by topology name: what functions read."""
        return {name: secret.secret_arn for name, secret in self.by_name.items()}


def output_id(secret: Secret) -> str:
    """`offers-refresh-token` -> `OffersRefreshTokenSecretArn`, the stack output with its ARN."""
    return construct_id(secret.name, "SecretArn")


def _secret(scope: Construct, secret: Secret, removal_policy: RemovalPolicy) -> secretsmanager.Secret:
    # The generated placeholder is replaced by the operator's value (see the module docstring);
    # retained by default, so a redeploy never loses a value nobody can regenerate.
    created = secretsmanager.Secret(
        scope, construct_id(secret.name), description=secret.description, removal_policy=removal_policy
    )
    nag.acknowledge(
        created,
        nag.SECRET_ROTATION,
        f"{secret.name} is a credential another party issues to Shopfloor (the offers service hands "
        "out refresh tokens): a rotation Lambda cannot obtain a new one. It is rotated by putting "
        "the newly issued value in (put-secret-value), which every function picks up on its next "
        "read.",
    )
    return created
