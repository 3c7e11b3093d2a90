"""The stack, synthesized once per session with the context `cdk synth` uses (cdk.json); once
more as a throw-away stack (`-c removalPolicy=destroy`), once with `-c alarmEmail=...`, and once
with `-c sesSandboxRecipients=...`, for what only those change."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import App
from aws_cdk.assertions import Template

from infra.build import build_dependency_layer
from infra.constants import ALARM_EMAIL_CONTEXT_KEY, SES_SANDBOX_RECIPIENTS_CONTEXT_KEY, STACK_NAME
from infra.stack import ShopfloorStack
from infra.topology import ROOT

ALARM_EMAIL = "oncall@example.com"
# Verified recipients while the account is in the SES sandbox, as `cdk deploy -c` gives them.
SANDBOX_RECIPIENTS = ("tester@example.com", "baristas@example.net")


def cdk_context() -> dict[str, Any]:
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
    return context


@pytest.fixture(scope="session")
def app() -> App:
    return App(context=cdk_context())


@pytest.fixture(scope="session")
def stack(app: App) -> ShopfloorStack:
    return ShopfloorStack(app, STACK_NAME, dependency_layer_dir=build_dependency_layer())


@pytest.fixture(scope="session")
def template(stack: ShopfloorStack) -> Template:
    return Template.from_stack(stack)


@pytest.fixture(scope="session")
def template_dict(template: Template) -> dict[str, Any]:
    return dict(template.to_json())


@pytest.fixture(scope="session")
def destroy_app() -> App:
    return App(context={**cdk_context(), "removalPolicy": "destroy"})


@pytest.fixture(scope="session")
def destroy_stack(destroy_app: App) -> ShopfloorStack:
    return ShopfloorStack(destroy_app, STACK_NAME, dependency_layer_dir=build_dependency_layer())


@pytest.fixture(scope="session")
def destroy_template_dict(destroy_stack: ShopfloorStack) -> dict[str, Any]:
    return dict(Template.from_stack(destroy_stack).to_json())


@pytest.fixture(scope="session")
def alarm_email_app() -> App:
    return App(context={**cdk_context(), ALARM_EMAIL_CONTEXT_KEY: ALARM_EMAIL})


@pytest.fixture(scope="session")
def alarm_email_stack(alarm_email_app: App) -> ShopfloorStack:
    return ShopfloorStack(alarm_email_app, STACK_NAME, dependency_layer_dir=build_dependency_layer())


@pytest.fixture(scope="session")
def alarm_email_template_dict(alarm_email_stack: ShopfloorStack) -> dict[str, Any]:
    return dict(Template.from_stack(alarm_email_stack).to_json())


@pytest.fixture(scope="session")
def sandbox_app() -> App:
    return App(context={**cdk_context(), SES_SANDBOX_RECIPIENTS_CONTEXT_KEY: ",".join(SANDBOX_RECIPIENTS)})


@pytest.fixture(scope="session")
def sandbox_stack(sandbox_app: App) -> ShopfloorStack:
    return ShopfloorStack(sandbox_app, STACK_NAME, dependency_layer_dir=build_dependency_layer())


@pytest.fixture(scope="session")
def sandbox_template_dict(sandbox_stack: ShopfloorStack) -> dict[str, Any]:
    return dict(Template.from_stack(sandbox_stack).to_json())
