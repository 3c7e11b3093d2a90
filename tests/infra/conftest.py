"""The app, synthesized once per session as `cdk synth` makes it (cdk.json's context, every stage,
offline: no account or region). The infra tests read the dev stage, and the prod stage where the
two differ: each stack's template, or the stage's stacks read as one (`template_dict`: see
tests.infra.template.stage_template), for what does not depend on which stack holds it. Once more,
dev alone, with `-c alarmEmail=...`, and once with `-c sesSandboxRecipients=...`, for what only
those change."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import App
from aws_cdk.assertions import Template

from infra.build import build_dependency_layer
from infra.constants import ALARM_EMAIL_CONTEXT_KEY, SES_SANDBOX_RECIPIENTS_CONTEXT_KEY
from infra.stack import ShopfloorStage, add_stages
from infra.stages import DEV, PROD
from infra.topology import ROOT
from tests.infra.template import stage_template

ALARM_EMAIL = "oncall@example.com"
# Verified recipients while the account is in the SES sandbox, as `cdk deploy -c` gives them.
SANDBOX_RECIPIENTS = ("tester@example.com", "baristas@example.net")
# What the CLI would say the credentials' account and region are: nothing, offline.
OFFLINE: dict[str, str] = {}


def cdk_context() -> dict[str, Any]:
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
    return context


def dev_stage(app: App) -> ShopfloorStage:
    """The dev stage alone, in `app`."""
    stages = add_stages(app, dependency_layer_dir=build_dependency_layer(), stages=(DEV,), environ=OFFLINE)
    return stages[DEV.name]


def stack_templates(stage: ShopfloorStage) -> dict[str, dict[str, Any]]:
    """Each stack's template, by CloudFormation stack name, in deployment order (one synthesis)."""
    assembly = stage.synth()
    return {
        stack.stack_name: dict(assembly.get_stack_artifact(stack.artifact_id).template)
        for stack in stage.stacks
    }


@pytest.fixture(scope="session")
def app() -> App:
    return App(context=cdk_context())


@pytest.fixture(scope="session")
def stages(app: App) -> dict[str, ShopfloorStage]:
    return add_stages(app, dependency_layer_dir=build_dependency_layer(), environ=OFFLINE)


@pytest.fixture(scope="session")
def stage(stages: dict[str, ShopfloorStage]) -> ShopfloorStage:
    """The dev stage."""
    return stages[DEV.name]


@pytest.fixture(scope="session")
def templates(stage: ShopfloorStage) -> dict[str, dict[str, Any]]:
    """The dev stage's templates, by stack name."""
    return stack_templates(stage)


@pytest.fixture(scope="session")
def template_dict(templates: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The dev stage's stacks read as one template."""
    return stage_template(templates)


@pytest.fixture(scope="session")
def template(template_dict: dict[str, Any]) -> Template:
    return Template.from_json(template_dict)


@pytest.fixture(scope="session")
def prod_stage(stages: dict[str, ShopfloorStage]) -> ShopfloorStage:
    return stages[PROD.name]


@pytest.fixture(scope="session")
def prod_templates(prod_stage: ShopfloorStage) -> dict[str, dict[str, Any]]:
    return stack_templates(prod_stage)


@pytest.fixture(scope="session")
def prod_template_dict(prod_templates: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return stage_template(prod_templates)


@pytest.fixture(scope="session")
def alarm_email_app() -> App:
    return App(context={**cdk_context(), ALARM_EMAIL_CONTEXT_KEY: ALARM_EMAIL})


@pytest.fixture(scope="session")
def alarm_email_stage(alarm_email_app: App) -> ShopfloorStage:
    return dev_stage(alarm_email_app)


@pytest.fixture(scope="session")
def alarm_email_template_dict(alarm_email_stage: ShopfloorStage) -> dict[str, Any]:
    return stage_template(stack_templates(alarm_email_stage))


@pytest.fixture(scope="session")
def sandbox_app() -> App:
    return App(context={**cdk_context(), SES_SANDBOX_RECIPIENTS_CONTEXT_KEY: ",".join(SANDBOX_RECIPIENTS)})


@pytest.fixture(scope="session")
def sandbox_stage(sandbox_app: App) -> ShopfloorStage:
    return dev_stage(sandbox_app)


@pytest.fixture(scope="session")
def sandbox_template_dict(sandbox_stage: ShopfloorStage) -> dict[str, Any]:
    return stage_template(stack_templates(sandbox_stage))
