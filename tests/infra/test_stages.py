"""Stages: each entry of infra.stages becomes a CDK Stage holding its seven stacks (infra.stack.STACK_PARTS),
named after it; dev throws everything away with its stacks, prod keeps its data and protects the stack
that holds it; the stage's e-mail settings are the defaults a `-c` value overrides."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
from aws_cdk import App, RemovalPolicy, Stack, Stage
from aws_cdk import aws_logs as logs

from infra.constants import ALARM_EMAIL_CONTEXT_KEY, REMOVAL_POLICY_CONTEXT_KEY
from infra.constructs.email import context_values_from_context, sender_addresses_from_context
from infra.constructs.observability import alarm_email_from_context
from infra.stack import DATA_STACK_PARTS, STACK_PARTS, ShopfloorStage, set_context_defaults
from infra.stages import DEV, PROD, STAGES, STAGES_BY_NAME, Canary, StageSettings
from infra.topology import SHOP_MAIL
from tests.infra.template import resources_of_type

pytestmark = pytest.mark.infra

RETENTION_DAYS = {
    logs.RetentionDays.ONE_WEEK: 7,
    logs.RetentionDays.ONE_MONTH: 30,
    logs.RetentionDays.THREE_MONTHS: 90,
}
# What prod keeps when its stack goes, and dev throws away (but the site's pages: see below).
DATA = (
    "AWS::DynamoDB::Table",
    "AWS::S3::Bucket",
    "AWS::Cognito::UserPool",
    "AWS::SecretsManager::Secret",
    "AWS::Logs::LogGroup",
)


def test_each_stage_is_a_cdk_stage_holding_its_seven_stacks_named_after_it(
    app: App, stages: dict[str, ShopfloorStage]
) -> None:
    in_the_app = [child for child in app.node.children if isinstance(child, Stage)]

    assert [stage.node.id for stage in in_the_app] == ["Dev", "Prod"]
    assert STACK_PARTS == ("Data", "Platform", "Catalog", "Warranties", "Factories", "Shop", "Edge")
    assert [stack.stack_name for stack in stages["dev"].stacks] == [
        "Shopfloor-Dev-Data",
        "Shopfloor-Dev-Platform",
        "Shopfloor-Dev-Catalog",
        "Shopfloor-Dev-Warranties",
        "Shopfloor-Dev-Factories",
        "Shopfloor-Dev-Shop",
        "Shopfloor-Dev-Edge",
    ]
    for stage in stages.values():
        name = stage.settings.construct_id
        # Every stack of the stage, and nothing else, in deployment order.
        assert [child for child in stage.node.children if isinstance(child, Stack)] == list(stage.stacks)
        assert [stack.stack_name for stack in stage.stacks] == [
            f"Shopfloor-{name}-{part}" for part in STACK_PARTS
        ]
        assert [stack.node.path for stack in stage.stacks] == [f"{name}/{part}" for part in STACK_PARTS]


def test_a_third_stage_is_one_more_entry_with_its_own_names() -> None:
    qa = dataclasses.replace(DEV, name="qa")

    assert (qa.construct_id, qa.prefix, qa.stack_name("Data")) == ("Qa", "Shopfloor-Qa", "Shopfloor-Qa-Data")
    assert [qa.stack_name(part) for part in STACK_PARTS] == [f"Shopfloor-Qa-{part}" for part in STACK_PARTS]
    assert len(STAGES_BY_NAME) == len(STAGES)
    assert len({stage.prefix for stage in STAGES}) == len(STAGES)


@pytest.mark.parametrize("name", ["Dev", "pre-prod", "", "1st"])
def test_a_stage_name_is_lowercase_letters_and_digits(name: str) -> None:
    with pytest.raises(ValueError, match="lowercase"):
        dataclasses.replace(DEV, name=name)


@pytest.mark.parametrize("stage_name", ["dev", "prod"])
def test_prod_protects_its_data_stack_alone_from_termination_and_dev_none(
    stages: dict[str, ShopfloorStage], stage_name: str
) -> None:
    """Only the data stack holds data (infra.stack.DATA_STACK_PARTS): prod protects it alone, so that
    the others may be destroyed and made again; the cloud assembly `cdk deploy` reads says so too."""
    stage = stages[stage_name]
    assembly = stage.synth()
    protected = {stack.stack_name for stack in stage.stacks if stack.termination_protection}
    in_the_assembly = {
        stack.stack_name
        for stack in stage.stacks
        if assembly.get_stack_artifact(stack.artifact_id).termination_protection
    }

    data_stacks = {stage.settings.stack_name(part) for part in DATA_STACK_PARTS}

    assert protected == in_the_assembly
    assert protected == (data_stacks if stage_name == "prod" else set())
    assert protected == ({"Shopfloor-Prod-Data"} if stage_name == "prod" else set())


def test_prod_retains_its_data(prod_template_dict: dict[str, Any], prod_stage: ShopfloorStage) -> None:
    """Every table, bucket, user pool, secret and log group, but the site's pages' bucket: build
    output, which prod deletes with its stack too (test_the_sites_pages_are_deleted_in_every_stage)."""
    pages = _site_bucket(prod_stage)
    for resource_type in DATA:
        kept = [
            resource
            for logical_id, resource in resources_of_type(prod_template_dict, resource_type).items()
            if logical_id != pages
        ]
        assert kept, resource_type
        assert {(resource["DeletionPolicy"], resource["UpdateReplacePolicy"]) for resource in kept} == {
            ("Retain", "Retain")
        }, resource_type
    for resource_type, protection in [
        ("AWS::DynamoDB::Table", ("DeletionProtectionEnabled", True)),
        ("AWS::Cognito::UserPool", ("DeletionProtection", "ACTIVE")),
    ]:
        key, value = protection
        assert {
            r["Properties"][key] for r in resources_of_type(prod_template_dict, resource_type).values()
        } == {value}


def _site_bucket(stage: ShopfloorStage) -> str:
    """The logical id of the bucket of the site's pages (the edge stack's)."""
    return str(stage.edge.resolve(stage.edge.site.bucket.bucket_name)["Ref"])


@pytest.mark.parametrize("stage_name", ["dev", "prod"])
def test_the_sites_pages_are_deleted_in_every_stage(
    request: pytest.FixtureRequest, stages: dict[str, ShopfloorStage], stage_name: str
) -> None:
    """Changed with the split into stacks: the pages' bucket is build output (web/, uploaded at every
    deploy), in the edge stack, which holds no data: deleted, and emptied first, in prod as in dev."""
    template = request.getfixturevalue("template_dict" if stage_name == "dev" else "prod_template_dict")
    stage = stages[stage_name]
    pages = _site_bucket(stage)
    emptied = [
        resource["Properties"]["BucketName"]
        for resource in resources_of_type(template, "Custom::S3AutoDeleteObjects").values()
    ]

    bucket = template["Resources"][pages]
    assert (bucket["DeletionPolicy"], bucket["UpdateReplacePolicy"]) == ("Delete", "Delete")
    assert {"Ref": pages} in emptied


def test_dev_retains_nothing(template_dict: dict[str, Any]) -> None:
    retained = {
        logical_id: resource["Type"]
        for logical_id, resource in template_dict["Resources"].items()
        if "Retain" in (resource.get("DeletionPolicy"), resource.get("UpdateReplacePolicy"))
    }

    assert retained == {}


@pytest.mark.parametrize("settings", STAGES, ids=lambda settings: settings.name)
def test_the_logs_are_kept_as_long_as_the_stage_says(
    request: pytest.FixtureRequest, stages: dict[str, ShopfloorStage], settings: StageSettings
) -> None:
    """The API's access logs (the edge stack's) as long as the stage says, every other log group of
    every stack (functions', the site deployment's) as long as its logs."""
    created = stages[settings.name].edge
    template = request.getfixturevalue("template_dict" if settings is DEV else "prod_template_dict")
    access_logs = created.resolve(created.api.access_logs.log_group_name)["Ref"]
    log_groups = resources_of_type(template, "AWS::Logs::LogGroup")

    assert (
        log_groups[access_logs]["Properties"]["RetentionInDays"]
        == RETENTION_DAYS[settings.access_log_retention]
    )
    others = {
        group["Properties"]["RetentionInDays"] for key, group in log_groups.items() if key != access_logs
    }
    assert others == {RETENTION_DAYS[settings.log_retention]}


def test_dev_keeps_its_logs_a_week_and_prod_a_month_its_access_logs_three() -> None:
    assert (DEV.log_retention, DEV.access_log_retention) == (logs.RetentionDays.ONE_WEEK,) * 2
    assert (PROD.log_retention, PROD.access_log_retention) == (
        logs.RetentionDays.ONE_MONTH,
        logs.RetentionDays.THREE_MONTHS,
    )


def test_dev_destroys_and_deploys_at_once_prod_retains_protects_and_canaries() -> None:
    assert (DEV.removal_policy, DEV.deletion_protection, DEV.termination_protection, DEV.canary) == (
        RemovalPolicy.DESTROY,
        False,
        False,
        None,
    )
    assert (PROD.removal_policy, PROD.deletion_protection, PROD.termination_protection, PROD.canary) == (
        RemovalPolicy.RETAIN,
        True,
        True,
        Canary(percent=10, minutes=5),
    )


@pytest.mark.parametrize(("percent", "minutes"), [(0, 5), (100, 5), (10, 0), (10, 2881)])
def test_a_canary_codedeploy_cannot_run_is_refused(percent: int, minutes: int) -> None:
    with pytest.raises(ValueError, match="canary"):
        Canary(percent=percent, minutes=minutes)


def test_the_account_and_region_are_the_clis_unless_the_stage_names_them() -> None:
    environ = {"CDK_DEFAULT_ACCOUNT": "111111111111", "CDK_DEFAULT_REGION": "eu-west-1"}
    pinned = dataclasses.replace(PROD, account="222222222222", region="us-east-1")

    assert (DEV.environment(environ).account, DEV.environment(environ).region) == (
        "111111111111",
        "eu-west-1",
    )
    assert (pinned.environment(environ).account, pinned.environment(environ).region) == (
        "222222222222",
        "us-east-1",
    )
    assert (DEV.environment({}).account, DEV.environment({}).region) == (None, None)


def test_the_stages_addresses_are_the_defaults() -> None:
    stage = Stage(App(), "Dev")

    set_context_defaults(stage, DEV)

    assert sender_addresses_from_context(stage) == {SHOP_MAIL.name: DEV.sender_email}
    assert context_values_from_context(stage) == {"shopEmail": DEV.shop_email}
    assert alarm_email_from_context(stage) is None


def test_a_context_value_overrides_the_stages() -> None:
    app = App(context={"senderEmail": "orders@shop.example", ALARM_EMAIL_CONTEXT_KEY: "oncall@shop.example"})
    stage = Stage(app, "Prod")

    set_context_defaults(stage, dataclasses.replace(PROD, alarm_email="alarms@shop.example"))

    assert sender_addresses_from_context(stage) == {SHOP_MAIL.name: "orders@shop.example"}
    assert context_values_from_context(stage) == {"shopEmail": PROD.shop_email}
    assert alarm_email_from_context(stage) == "oncall@shop.example"


def test_a_stages_alarm_address_subscribes_without_a_context_value() -> None:
    stage = Stage(App(), "Prod")

    set_context_defaults(stage, dataclasses.replace(PROD, alarm_email="alarms@shop.example"))

    assert alarm_email_from_context(stage) == "alarms@shop.example"


@pytest.mark.parametrize("value", ["destroy", "retain"])
def test_the_removal_policy_context_is_refused_the_stage_decides(value: str) -> None:
    stage = Stage(App(context={REMOVAL_POLICY_CONTEXT_KEY: value}), "Dev")

    with pytest.raises(ValueError, match=re.escape("infra/stages.py")):
        set_context_defaults(stage, DEV)
