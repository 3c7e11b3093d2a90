"""E-mail: each sender is an SES identity for the address the deployment gives (CDK context, checked
at synth); a function that sends from it may call ses:SendEmail on that identity and nothing else of
SES, and no other function may use SES at all; the deploy-time settings reach the functions. In the
SES sandbox, the verified recipients named by the context are added to the grant, as recipients only.

The identities (and their outputs) are the data stack's: an identity's verification is a person's
click, kept as data is; the grants are read from the dev stage's stacks as one (`template_dict`)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aws_cdk import App
from cdk_nag import AwsSolutionsChecks

from infra.constants import SES_SANDBOX_RECIPIENTS_CONTEXT_KEY
from infra.constructs.email import (
    context_settings,
    context_values_from_context,
    identity_arn_output_id,
    identity_output_id,
    is_email_address,
    sandbox_recipients_from_context,
    sender_addresses_from_context,
)
from infra.stack import ShopfloorStage
from infra.stages import DEV, STAGES, StageSettings
from infra.topology import (
    EMAIL_SENDERS,
    EMAIL_SENDERS_BY_NAME,
    FUNCTIONS,
    SHOP_EMAIL,
    SHOP_MAIL,
    EmailSender,
    Function,
)
from tests.infra.conftest import SANDBOX_RECIPIENTS, cdk_context, dev_stage
from tests.infra.template import (
    function_environments,
    function_roles,
    function_statements,
    resources_of_type,
    roles_allowed,
    statement_actions,
    statement_resources,
)

pytestmark = pytest.mark.infra

SEND_EMAIL = "ses:SendEmail"
SENDING_FUNCTIONS = [function for function in FUNCTIONS if function.sends_email_from]
NOT_ADDRESSES = [
    None,
    "",
    42,
    "orders",
    "orders@",
    "@example.com",
    "orders@example",
    "orders@example.123",
    "orders@-example.com",
    "orders @example.com",
    " orders@example.com",
    "Shop <orders@example.com>",
    "orders@example.com,shop@example.com",
    "ord*rs@example.com",
    "orders?@example.com",
    "café@example.com",
]


def _ses_statements(template_dict: dict[str, Any], function_name: str) -> list[dict[str, Any]]:
    return [
        dict(statement)
        for statement in function_statements(template_dict, function_name)
        if any(action.startswith("ses:") for action in statement_actions(statement))
    ]


def _identity_arn(stage: ShopfloorStage, sender: EmailSender) -> Any:
    return stage.data.resolve(stage.data.email_senders.by_name[sender.name].identity_arn)


def _arn_of(address: str) -> dict[str, Any]:
    """An SES identity's ARN as the template writes it (partition, region and account of the stack)."""
    return {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":ses:",
                {"Ref": "AWS::Region"},
                ":",
                {"Ref": "AWS::AccountId"},
                f":identity/{address}",
            ],
        ]
    }


def test_the_notifier_sends_from_the_shop_mail_sender_and_knows_the_shops_address() -> None:
    assert [(function.name, function.sends_email_from) for function in SENDING_FUNCTIONS] == [
        ("notifier", SHOP_MAIL.name)
    ]
    assert (SHOP_MAIL.context_key, SHOP_MAIL.env_var) == ("senderEmail", "SHOP_MAIL_SENDER")
    assert (SHOP_EMAIL.context_key, SHOP_EMAIL.env_var) == ("shopEmail", "SHOP_EMAIL")
    assert context_settings() == (SHOP_EMAIL,)


@pytest.mark.parametrize("stage", STAGES, ids=lambda stage: stage.name)
def test_each_stage_gives_offline_defaults_and_no_sandbox_recipients(stage: StageSettings) -> None:
    defaults = stage.context_defaults()

    for key in [sender.context_key for sender in EMAIL_SENDERS] + [s.context_key for s in context_settings()]:
        assert is_email_address(defaults[key]), key
        assert key not in cdk_context(), f"cdk.json's {key} would hide every stage's default"
    assert SES_SANDBOX_RECIPIENTS_CONTEXT_KEY not in defaults
    assert SES_SANDBOX_RECIPIENTS_CONTEXT_KEY not in cdk_context()


def test_devs_defaults_are_the_local_clouds_addresses() -> None:
    """The dev template `make synth` writes carries the addresses `make run` uses (the parity suite
    compares the two environments); a deployment gives its own with `-c`."""
    assert {sender.context_key: sender.local_address for sender in EMAIL_SENDERS} | {
        setting.context_key: setting.local_value for setting in context_settings()
    } == {key: DEV.context_defaults()[key] for key in ["senderEmail", "shopEmail"]}


@pytest.mark.parametrize("sender", EMAIL_SENDERS, ids=lambda sender: sender.name)
def test_each_sender_is_an_ses_identity_for_its_context_address_in_the_data_stack(
    templates: dict[str, dict[str, Any]], stage: ShopfloorStage, sender: EmailSender
) -> None:
    """The identity and its outputs are the data stack's, and no other stack's."""
    address = str(DEV.context_defaults()[sender.context_key])
    identity = stage.data.email_senders.by_name[sender.name].identity
    data = templates[stage.data.stack_name]
    [logical_id] = [
        logical_id
        for logical_id, resource in resources_of_type(data, "AWS::SES::EmailIdentity").items()
        if resource["Properties"]["EmailIdentity"] == address
    ]

    assert stage.data.resolve(identity.email_identity_name) == {"Ref": logical_id}
    assert data["Outputs"][identity_output_id(sender)]["Value"] == {"Ref": logical_id}
    assert data["Outputs"][identity_arn_output_id(sender)]["Value"] == _arn_of(address)
    for stack_name, template in templates.items():
        if stack_name != stage.data.stack_name:
            assert resources_of_type(template, "AWS::SES::EmailIdentity") == {}, stack_name


def test_the_only_identities_are_the_senders(template_dict: dict[str, Any]) -> None:
    declared = [
        resource["Properties"]["EmailIdentity"]
        for resource in resources_of_type(template_dict, "AWS::SES::EmailIdentity").values()
    ]

    assert sorted(declared) == sorted(
        str(DEV.context_defaults()[sender.context_key]) for sender in EMAIL_SENDERS
    )


@pytest.mark.parametrize("function", SENDING_FUNCTIONS, ids=lambda function: function.name)
def test_a_sender_may_send_email_from_its_identity_and_do_nothing_else_with_ses(
    template_dict: dict[str, Any], stage: ShopfloorStage, function: Function
) -> None:
    assert function.sends_email_from
    sender = EMAIL_SENDERS_BY_NAME[function.sends_email_from]

    [statement] = _ses_statements(template_dict, function.name)

    assert statement_actions(statement) == {SEND_EMAIL}
    assert statement_resources(statement) == [_identity_arn(stage, sender)]
    assert "Condition" not in statement


def test_the_notifier_may_send_email_from_the_context_address_only(template_dict: dict[str, Any]) -> None:
    [statement] = _ses_statements(template_dict, "notifier")

    assert statement["Effect"] == "Allow"
    assert (statement["Action"], statement["Resource"]) == (SEND_EMAIL, _arn_of(DEV.sender_email))


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda function: function.name)
def test_no_other_function_may_use_ses(template_dict: dict[str, Any], function: Function) -> None:
    actions = {
        action
        for statement in _ses_statements(template_dict, function.name)
        for action in statement_actions(statement)
    }

    assert actions == ({SEND_EMAIL} if function.sends_email_from else set())


def test_no_role_but_a_senders_may_use_ses(template_dict: dict[str, Any]) -> None:
    senders = {function.name for function in SENDING_FUNCTIONS}

    assert roles_allowed(template_dict, "ses:") == function_roles(template_dict, senders)


def test_the_notifier_is_given_the_sender_address_and_the_shops_address(
    template_dict: dict[str, Any],
) -> None:
    environments = function_environments(template_dict)

    assert environments["notifier"]["SHOP_MAIL_SENDER"] == DEV.sender_email
    assert environments["notifier"]["SHOP_EMAIL"] == DEV.shop_email
    for name, environment in environments.items():
        if name != "notifier":
            assert not {"SHOP_MAIL_SENDER", "SHOP_EMAIL"} & set(environment), name


@pytest.mark.parametrize(
    "value", ["orders@example.com", "orders+shop@mail.example.co.uk", "o.r-d_e'rs@xn--caf-dma.example"]
)
def test_plain_addresses_are_addresses(value: str) -> None:
    assert is_email_address(value)


@pytest.mark.parametrize("value", NOT_ADDRESSES)
def test_a_missing_or_invalid_sender_address_is_refused(value: object) -> None:
    context = {} if value is None else {"senderEmail": value}

    with pytest.raises(
        ValueError, match=r"context senderEmail=.* must be an e-mail address .*cdk deploy -c senderEmail="
    ):
        sender_addresses_from_context(App(context=context))


@pytest.mark.parametrize("value", NOT_ADDRESSES)
def test_a_missing_or_invalid_shop_address_is_refused(value: object) -> None:
    context = {} if value is None else {"shopEmail": value}

    with pytest.raises(
        ValueError,
        match=r"context shopEmail=.* must be an e-mail address \(SHOP_EMAIL: .*cdk deploy -c shopEmail=",
    ):
        context_values_from_context(App(context=context))


def test_addresses_given_on_the_command_line_win() -> None:
    app = App(context={"senderEmail": "coffee@shop.example", "shopEmail": "baristas@shop.example"})

    assert sender_addresses_from_context(app) == {SHOP_MAIL.name: "coffee@shop.example"}
    assert context_values_from_context(app) == {"shopEmail": "baristas@shop.example"}


@pytest.mark.parametrize(
    ("key", "value"),
    [("senderEmail", "not-an-address"), ("senderEmail", ""), ("shopEmail", "shop@"), ("shopEmail", "")],
)
def test_the_synth_stops_with_the_context_key_to_set(key: str, value: object) -> None:
    context = {**cdk_context(), key: value}

    with pytest.raises(ValueError, match=re.escape(f"context {key}={value!r} must be an e-mail address (")):
        dev_stage(App(context=context))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ()),
        ("", ()),
        ([], ()),
        ("a@example.com", ("a@example.com",)),
        ("a@example.com, b@example.net,a@example.com", ("a@example.com", "b@example.net")),
        (["a@example.com", "b@example.net"], ("a@example.com", "b@example.net")),
    ],
)
def test_sandbox_recipients_come_from_the_context(value: object, expected: tuple[str, ...]) -> None:
    context = {} if value is None else {SES_SANDBOX_RECIPIENTS_CONTEXT_KEY: value}

    assert sandbox_recipients_from_context(App(context=context)) == expected


@pytest.mark.parametrize(
    "value", ["a@example.com;b@example.com", "a@example.com,", ["a*@example.com"], 42, {"a": 1}]
)
def test_a_sandbox_recipient_that_is_no_address_is_refused(value: object) -> None:
    with pytest.raises(ValueError, match=rf"context {SES_SANDBOX_RECIPIENTS_CONTEXT_KEY}="):
        sandbox_recipients_from_context(App(context={SES_SANDBOX_RECIPIENTS_CONTEXT_KEY: value}))


def test_in_the_sandbox_the_notifier_may_also_mail_the_verified_recipients_from_the_sender_only(
    sandbox_template_dict: dict[str, Any], sandbox_stage: ShopfloorStage
) -> None:
    sender_address = DEV.sender_email
    statements = _ses_statements(sandbox_template_dict, "notifier")
    unconditioned = [statement for statement in statements if "Condition" not in statement]
    conditioned = [statement for statement in statements if "Condition" in statement]

    assert [(statement_actions(s), statement_resources(s)) for s in unconditioned] == [
        ({SEND_EMAIL}, [_identity_arn(sandbox_stage, SHOP_MAIL)])
    ]
    [recipients] = conditioned
    assert statement_actions(recipients) == {SEND_EMAIL}
    assert sorted(map(json.dumps, statement_resources(recipients))) == sorted(
        json.dumps(_arn_of(address)) for address in SANDBOX_RECIPIENTS
    )
    assert recipients["Condition"] == {"StringEquals": {"ses:FromAddress": sender_address}}


def test_in_the_sandbox_no_other_function_may_use_ses_and_no_recipient_becomes_an_identity(
    sandbox_template_dict: dict[str, Any],
) -> None:
    for function in FUNCTIONS:
        if not function.sends_email_from:
            assert _ses_statements(sandbox_template_dict, function.name) == [], function.name
    declared = [
        resource["Properties"]["EmailIdentity"]
        for resource in resources_of_type(sandbox_template_dict, "AWS::SES::EmailIdentity").values()
    ]
    assert declared == [DEV.sender_email]


def test_cdk_nag_finds_nothing_unacknowledged_in_the_sandbox(
    sandbox_app: App, sandbox_template_dict: dict[str, Any]
) -> None:
    report = AwsSolutionsChecks(verbose=True).validate_scope(sandbox_app)

    assert [violation.rule_name for violation in report.violations] == []
