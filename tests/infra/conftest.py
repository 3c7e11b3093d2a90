"""The app, synthesized once per session as `cdk synth` makes it (cdk.json's context, every stage,
offline: no account or region); the infra tests read its dev stage's stack, and the prod stage's
where the two differ. Once more, dev alone, with `-c alarmEmail=...`, and once with
`-c sesSandboxRecipients=...`, for what only those change."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import App
from aws_cdk.assertions import Template

from infra.build import build_dependency_layer
from infra.constants import ALARM_EMAIL_CONTEXT_KEY, SES_SANDBOX_RECIPIENTS_CONTEXT_KEY
from infra.stack import ShopfloorStack, ShopfloorStage, add_stages
from infra.stages import DEV, PROD
from infra.topology import ROOT

ALARM_EMAIL = "oncall@example.com"
# Verified recipients while the account is in the SES sandbox, as `cdk deploy -c` gives them.
SANDBOX_RECIPIENTS = ("tester@example.com", "baristas@example.net")
# What the CLI would say the credentials' account and region are: nothing, offline.
OFFLINE: dict[str, str] = {}


def cdk_context() -> dict[str, Any]:
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
    return context


def dev_stack(app: App) -> ShopfloorStack:
    """The dev stage alone, in `app`."""
    stages = add_stages(app, dependency_layer_dir=build_dependency_layer(), stages=(DEV,), environ=OFFLINE)
    return stages[DEV.name].stack


@pytest.fixture(scope="session")
def app() -> App:
    return App(context=cdk_context())


@pytest.fixture(scope="session")
def stages(app: App) -> dict[str, ShopfloorStage]:
    return add_stages(app, dependency_layer_dir=build_dependency_layer(), environ=OFFLINE)


@pytest.fixture(scope="session")
def stack(stages: dict[str, ShopfloorStage]) -> ShopfloorStack:
    """The dev stage's stack."""
    return stages[DEV.name].stack


@pytest.fixture(scope="session")
def template(stack: ShopfloorStack) -> Template:
    return Template.from_stack(stack)


@pytest.fixture(scope="session")
def template_dict(template: Template) -> dict[str, Any]:
    return dict(template.to_json())


@pytest.fixture(scope="session")
def prod_stack(stages: dict[str, ShopfloorStage]) -> ShopfloorStack:
    return stages[PROD.name].stack


@pytest.fixture(scope="session")
def prod_template_dict(prod_stack: ShopfloorStack) -> dict[str, Any]:
    return dict(Template.from_stack(prod_stack).to_json())


@pytest.fixture(scope="session")
def alarm_email_app() -> App:
    return App(context={**cdk_context(), ALARM_EMAIL_CONTEXT_KEY: ALARM_EMAIL})


@pytest.fixture(scope="session")
def alarm_email_stack(alarm_email_app: App) -> ShopfloorStack:
    return dev_stack(alarm_email_app)


@pytest.fixture(scope="session")
def alarm_email_template_dict(alarm_email_stack: ShopfloorStack) -> dict[str, Any]:
    return dict(Template.from_stack(alarm_email_stack).to_json())


@pytest.fixture(scope="session")
def sandbox_app() -> App:
    return App(context={**cdk_context(), SES_SANDBOX_RECIPIENTS_CONTEXT_KEY: ",".join(SANDBOX_RECIPIENTS)})


@pytest.fixture(scope="session")
def sandbox_stack(sandbox_app: App) -> ShopfloorStack:
    return dev_stack(sandbox_app)


@pytest.fixture(scope="session")
def sandbox_template_dict(sandbox_stack: ShopfloorStack) -> dict[str, Any]:
    return dict(Template.from_stack(sandbox_stack).to_json())
