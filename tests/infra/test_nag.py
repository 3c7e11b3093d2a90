"""cdk-nag (AWS Solutions): no finding left unacknowledged in any stack of any stage, and every
acknowledgement says why.

cdk-nag v3 is a policy-validation plugin, not an Aspect: its findings never become construct
annotations, so the check runs the pack over the construct tree itself, as `cdk synth` does (app.py
adds it to the app, which holds every stage).
"""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import App, Validations
from aws_cdk.cx_api import SynthesisMessage, SynthesisMessageLevel
from cdk_nag import AwsSolutionsChecks

from infra.stack import STACK_PARTS, ShopfloorStage
from infra.stages import STAGES

pytestmark = pytest.mark.infra

SPECIFIC_REASON_LENGTH = 40
# What a stack's synthesis may report: information, never an error or a warning.
REPORTED_LEVELS = (SynthesisMessageLevel.ERROR, SynthesisMessageLevel.WARNING)


def _messages(stage: ShopfloorStage) -> dict[str, list[SynthesisMessage]]:
    """What the synthesis reported of each of the stage's stacks, by stack name: the annotations
    `aws_cdk.assertions.Annotations.from_stack` reads, from the stage's one synthesis (from_stack
    synthesizes the whole app again for each stack)."""
    assembly = stage.synth()
    return {
        stack.stack_name: list(assembly.get_stack_artifact(stack.artifact_id).messages)
        for stack in stage.stacks
    }


def test_aws_solutions_finds_nothing_unacknowledged(
    app: App, templates: dict[str, Any], prod_templates: dict[str, Any]
) -> None:
    """In every stack of every stage: dev's data stack adds CDK's auto-delete-objects provider and
    prod's does not, while the edge stack has it in both (the site's bucket is build output)."""
    report = AwsSolutionsChecks(verbose=True).validate_scope(app)

    findings = [
        f"{violation.rule_name} at {[resource.construct_path for resource in violation.violating_resources]}"
        for violation in report.violations
    ]
    assert findings == []
    assert report.success


@pytest.mark.parametrize("stage_fixture", ["stage", "prod_stage"])
def test_no_stack_has_an_error_or_warning_annotation(
    request: pytest.FixtureRequest, stage_fixture: str
) -> None:
    stage: ShopfloorStage = request.getfixturevalue(stage_fixture)
    messages = _messages(stage)
    reported = [
        f"{stack_name}: {message.level} {message.id}: {message.entry.data}"
        for stack_name, found in messages.items()
        for message in found
        if message.level in REPORTED_LEVELS
    ]

    assert list(messages) == [stage.settings.stack_name(part) for part in STACK_PARTS]
    assert reported == []


def test_every_acknowledgement_gives_a_specific_reason(
    app: App, templates: dict[str, Any], prod_templates: dict[str, Any]
) -> None:
    reasons = {
        f"{construct.node.path}: {rule}": reason
        for construct in app.node.find_all()
        for entry in construct.node.metadata
        if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY
        for rule, reason in entry.data.items()
    }

    # Every stage acknowledges what it must (`Dev/Data/...`, `Prod/Edge/...`).
    assert {where.split("/", 1)[0] for where in reasons} == {settings.construct_id for settings in STAGES}
    assert {where: reason for where, reason in reasons.items() if len(reason) < SPECIFIC_REASON_LENGTH} == {}
