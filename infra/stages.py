"""The stages Shopfloor deploys to, declared once: `dev` to try a change in, `prod` for the shop.

Each entry of STAGES becomes a CDK `Stage` (`Dev`, `Prod`; see infra.stack.add_stages) holding the
stacks `Shopfloor-<Stage>-<Part>` (infra.stack.STACK_PARTS); a third stage is one more entry.
`make deploy STAGE=dev` deploys the stacks of one stage, in the order their references make
(`cdk deploy 'Dev/*'`).

- Account and region: None takes the CLI's (CDK_DEFAULT_ACCOUNT, CDK_DEFAULT_REGION: the
  credentials `cdk deploy` runs with); offline, the stage is environment-agnostic.
- Data: dev destroys everything with its stack (tables, buckets, user pools, logs); prod retains
  its data, protects every table and user pool from deletion, and the stack that holds them (the data
  stack) from termination; the other stacks hold no data, and may be destroyed and made again.
- E-mail: the alarm address, the address the shop sends from, the shop's own address and the SES
  sandbox's verified recipients are the stage's defaults for the CDK context keys `alarmEmail`,
  `senderEmail`, `shopEmail` and `sesSandboxRecipients`: `cdk deploy -c senderEmail=...` (or
  `make deploy ARGS="-c ..."`) overrides them. The defaults are the local cloud's addresses, so that
  `make synth` runs offline; a real deployment gives its own and verifies the sender in SES.
- Rollout: prod's functions take a new version as a canary (CodeDeploy, rolled back by their
  alarms); dev deploys at once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from aws_cdk import Environment, RemovalPolicy
from aws_cdk import aws_logs as logs

from infra.constants import (
    ALARM_EMAIL_CONTEXT_KEY,
    CDK_DEFAULT_ACCOUNT,
    CDK_DEFAULT_REGION,
    SES_SANDBOX_RECIPIENTS_CONTEXT_KEY,
)
from infra.topology import APP_NAME, SHOP_EMAIL, SHOP_MAIL

# CodeDeploy's custom canary: a share of 1-99 % for 1 minute to 2 days before the rest.
_CANARY_PERCENT_RANGE = range(1, 100)
_CANARY_MINUTES_RANGE = range(1, 2 * 24 * 60 + 1)
# Lowercase, so that `make deploy STAGE=<name>` and the Stage's id (`Dev`) are the same word.
_STAGE_NAME = re.compile(r"[a-z][a-z0-9]*")


@dataclass(frozen=True)
class Canary:
    """A function's new version takes `percent` of its traffic for `minutes`, then all of it, unless
    one of the function's alarms fired meanwhile: then CodeDeploy rolls back to the old version."""

    percent: int
    minutes: int

    def __post_init__(self) -> None:
        if self.percent not in _CANARY_PERCENT_RANGE or self.minutes not in _CANARY_MINUTES_RANGE:
            raise ValueError(
                f"a canary takes 1-99 % for 1-2880 minutes, not {self.percent} % for {self.minutes}"
            )


@dataclass(frozen=True)
class StageSettings:
    """What differs between two deployments of Shopfloor."""

    name: str
    # Tables, buckets, user pools, secrets, keys and log groups when their stack (or they) go.
    removal_policy: RemovalPolicy
    # DeletionProtection on every table and user pool: no delete succeeds until it is turned off.
    deletion_protection: bool
    # The data stack's termination protection: `cdk destroy` fails until it is turned off.
    termination_protection: bool
    # The functions' logs (and the site deployment's).
    log_retention: logs.RetentionDays
    # The HTTP API's access logs: the trail of who called what, kept longer where it matters.
    access_log_retention: logs.RetentionDays
    sender_email: str
    shop_email: str
    # None: a new version of a function takes all of its traffic at once.
    canary: Canary | None
    alarm_email: str | None = None
    ses_sandbox_recipients: tuple[str, ...] = ()
    account: str | None = None
    region: str | None = None

    def __post_init__(self) -> None:
        if not _STAGE_NAME.fullmatch(self.name):
            raise ValueError(f"a stage's name is lowercase letters and digits, not {self.name!r}")

    @property
    def construct_id(self) -> str:
        """`dev` -> `Dev`: the Stage's id, which `cdk deploy 'Dev/*'` selects."""
        return self.name.capitalize()

    @property
    def prefix(self) -> str:
        """`Shopfloor-Dev`: the prefix of the stage's stacks (`Shopfloor-Dev-Shop`) and of what is
        named after the stage (the event bus `shopfloor-dev`, the user pool `Shopfloor-Dev-shop-users`;
        see infra.constructs.naming.stage_prefix, which reads it from the CDK Stage)."""
        return f"{APP_NAME}-{self.construct_id}"

    def stack_name(self, part: str) -> str:
        """`Data` -> `Shopfloor-Dev-Data`: the CloudFormation name of one of the stage's stacks."""
        return f"{self.prefix}-{part}"

    def environment(self, environ: Mapping[str, str] = os.environ) -> Environment:
        """The stage's account and region; those of the CLI's credentials where the stage names none."""
        return Environment(
            account=self.account or environ.get(CDK_DEFAULT_ACCOUNT),
            region=self.region or environ.get(CDK_DEFAULT_REGION),
        )

    def context_defaults(self) -> dict[str, object]:
        """The stage's values of the CDK context keys a deployer may override with `-c`."""
        defaults: dict[str, object] = {
            SHOP_MAIL.context_key: self.sender_email,
            SHOP_EMAIL.context_key: self.shop_email,
        }
        if self.alarm_email is not None:
            defaults[ALARM_EMAIL_CONTEXT_KEY] = self.alarm_email
        if self.ses_sandbox_recipients:
            defaults[SES_SANDBOX_RECIPIENTS_CONTEXT_KEY] = list(self.ses_sandbox_recipients)
        return defaults


DEV = StageSettings(
    name="dev",
    removal_policy=RemovalPolicy.DESTROY,
    deletion_protection=False,
    termination_protection=False,
    log_retention=logs.RetentionDays.ONE_WEEK,
    access_log_retention=logs.RetentionDays.ONE_WEEK,
    sender_email=SHOP_MAIL.local_address,
    shop_email=SHOP_EMAIL.local_value,
    canary=None,
)
PROD = StageSettings(
    name="prod",
    removal_policy=RemovalPolicy.RETAIN,
    deletion_protection=True,
    termination_protection=True,
    log_retention=logs.RetentionDays.ONE_MONTH,
    access_log_retention=logs.RetentionDays.THREE_MONTHS,
    sender_email=SHOP_MAIL.local_address,
    shop_email=SHOP_EMAIL.local_value,
    canary=Canary(percent=10, minutes=5),
)
STAGES: tuple[StageSettings, ...] = (DEV, PROD)
STAGES_BY_NAME: Mapping[str, StageSettings] = MappingProxyType({stage.name: stage for stage in STAGES})
if len(STAGES_BY_NAME) != len(STAGES):
    raise ValueError(f"two stages share a name: {[stage.name for stage in STAGES]}")
