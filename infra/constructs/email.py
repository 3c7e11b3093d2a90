"""SES: the e-mail identities functions send from, and the settings given at deploy time.

- Each `EmailSender` of the topology is an SES e-mail address identity; its address is the CDK
  context value `sender.context_key` (`cdk deploy -c senderEmail=orders@shop.example`). SES e-mails
  the address a link that verifies it; until then, sending from it fails.
- Each `ContextSetting` a function uses is read from the context too (`-c shopEmail=...`).
- Both are checked at synth, like the services' URLs: a missing value, or one that is no e-mail
  address where an address is expected, stops the synth with the context key to set.
- `-c sesSandboxRecipients=a@x.example,b@y.example` names the verified recipients a sender may mail
  while the account is in the SES sandbox (see `sandbox_recipients_from_context`).

Each stage (infra.stages) has defaults for the addresses, so that `make synth` and the tests run
offline; a `-c` value wins over the stage's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_ses as ses
from constructs import Construct

from infra.constants import (
    EMAIL_IDENTITY_ARN_OUTPUT_SUFFIX,
    EMAIL_IDENTITY_OUTPUT_SUFFIX,
    SES_SANDBOX_RECIPIENTS_CONTEXT_KEY,
)
from infra.constructs.naming import construct_id
from infra.topology import EMAIL_SENDERS, FUNCTIONS, ContextSetting, EmailSender

# An address SES can send from or to without SMTPUTF8 (which it does not support): an ASCII local
# part and a domain of DNS labels. No `*` or `?`: the address becomes part of an IAM resource ARN,
# where they are wildcards.
_LOCAL_PART = r"[A-Za-z0-9.!#$%&'+/=^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"^{_LOCAL_PART}@(?:{_LABEL}\.)+(?!\d+$){_LABEL}$")
_MAX_EMAIL_LENGTH = 320


def is_email_address(value: object) -> bool:
    return isinstance(value, str) and len(value) <= _MAX_EMAIL_LENGTH and bool(_EMAIL.match(value))


def context_settings() -> tuple[ContextSetting, ...]:
    """Every context setting some function uses, once each, in the topology's order."""
    return tuple(dict.fromkeys(setting for function in FUNCTIONS for setting in function.context_settings))


def sender_addresses_from_context(scope: Construct) -> dict[str, str]:
    """Each sender's address, by topology name; refuses a missing one or one that is no address."""
    return {
        sender.name: _email_from_context(scope, sender.context_key, f"the address {sender.name} sends from")
        for sender in EMAIL_SENDERS
    }


def context_values_from_context(scope: Construct) -> dict[str, str]:
    """Each context setting's value, by context key. A value must be a non-empty string, and an
    e-mail address where the setting's local value is one (the topology's settings are addresses)."""
    values = {}
    for setting in context_settings():
        if is_email_address(setting.local_value):
            values[setting.context_key] = _email_from_context(scope, setting.context_key, _what(setting))
        else:
            values[setting.context_key] = _text_from_context(scope, setting.context_key, _what(setting))
    return values


def sandbox_recipients_from_context(scope: Construct) -> tuple[str, ...]:
    """The verified recipients a sender may mail while the account is in the SES sandbox, from
    `-c sesSandboxRecipients=a@x.example,b@y.example` (or a JSON list in cdk.json); none by default.

    In the sandbox SES authorizes a send against the sender's identity and against each recipient's
    (they must be verified identities of the account), so a grant on the sender's identity alone is
    refused for every recipient. Out of the sandbox, recipients need no identity: leave this empty.
    """
    key = SES_SANDBOX_RECIPIENTS_CONTEXT_KEY
    value = scope.node.try_get_context(key)
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        addresses: Sequence[object] = [address.strip() for address in value.split(",")]
    elif isinstance(value, list):
        addresses = value
    else:
        raise ValueError(f"context {key}={value!r}: expected e-mail addresses separated by commas")
    wrong = [address for address in addresses if not is_email_address(address)]
    if wrong:
        raise ValueError(
            f"context {key}={value!r}: {', '.join(map(repr, wrong))} is no e-mail address; give the "
            f"verified recipients separated by commas, `cdk deploy -c {key}=a@example.com,b@example.com`"
        )
    return tuple(dict.fromkeys(str(address) for address in addresses))


def _what(setting: ContextSetting) -> str:
    return f"{setting.env_var}: {setting.description.rstrip('.')}"


def _email_from_context(scope: Construct, key: str, what: str) -> str:
    value = scope.node.try_get_context(key)
    if not is_email_address(value):
        raise ValueError(
            f"context {key}={value!r} must be an e-mail address ({what}); set it in cdk.json or with "
            f"`cdk deploy -c {key}=someone@example.com`"
        )
    return str(value)


def _text_from_context(scope: Construct, key: str, what: str) -> str:
    value = scope.node.try_get_context(key)
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise ValueError(
            f"context {key}={value!r} must be a value without surrounding spaces ({what}); set it in "
            f"cdk.json or with `cdk deploy -c {key}=...`"
        )
    return value


def identity_arn(scope: Construct, address: str) -> str:
    """The ARN SES authorizes a send against for an address identity of this account and region."""
    return Stack.of(scope).format_arn(service="ses", resource="identity", resource_name=address)


def identity_output_id(sender: EmailSender) -> str:
    """`shop-mail` -> `ShopMailEmailIdentity`, the stack output with its address."""
    return construct_id(sender.name, EMAIL_IDENTITY_OUTPUT_SUFFIX)


def identity_arn_output_id(sender: EmailSender) -> str:
    return construct_id(sender.name, EMAIL_IDENTITY_ARN_OUTPUT_SUFFIX)


class TopologyEmailSender(Construct):
    """A sender's SES identity: its address, verified by the link SES e-mails to it."""

    def __init__(
        self,
        scope: Construct,
        construct_id_: str,
        *,
        sender: EmailSender,
        address: str,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id_)
        self.sender = sender
        self.address = address
        self.identity = ses.EmailIdentity(self, "Identity", identity=ses.Identity.email(address))
        # Its verification is a person's click on SES's link: kept where the stage keeps its data.
        self.identity.apply_removal_policy(removal_policy)
        self.identity_arn = identity_arn(self, address)


class EmailSenders(Construct):
    """The senders, by their topology name (`shop-mail`), and the sandbox's verified recipients."""

    def __init__(
        self,
        scope: Construct,
        construct_id_: str,
        *,
        addresses: Mapping[str, str],
        removal_policy: RemovalPolicy,
        sandbox_recipients: Sequence[str] = (),
    ) -> None:
        super().__init__(scope, construct_id_)
        self.by_name: Mapping[str, TopologyEmailSender] = MappingProxyType(
            {
                sender.name: TopologyEmailSender(
                    self,
                    construct_id(sender.name),
                    sender=sender,
                    address=addresses[sender.name],
                    removal_policy=removal_policy,
                )
                for sender in EMAIL_SENDERS
            }
        )
        self.sandbox_recipients = tuple(sandbox_recipients)
        # The recipients' identities are verified by the operator (see docs/deploy.md), not declared
        # here: a customer's address is no identity the stack owns, and goes with production access.
        self.sandbox_recipient_arns = tuple(
            identity_arn(self, address) for address in self.sandbox_recipients
        )

    @property
    def addresses(self) -> dict[str, str]:
        """Each sender's address, by topology name: what functions get."""
        return {name: sender.address for name, sender in self.by_name.items()}
