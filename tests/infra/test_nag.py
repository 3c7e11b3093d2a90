"""cdk-nag (AWS Solutions): no finding left unacknowledged, and every acknowledgement says why.

cdk-nag v3 is a policy-validation plugin, not an Aspect: its findings never become construct
annotations, so the check runs the pack over the construct tree itself, as `cdk synth` does.
"""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import App, Validations
from aws_cdk.assertions import Annotations, Match, Template
from cdk_nag import AwsSolutionsChecks

from infra.stack import ShopfloorStack

pytestmark = pytest.mark.infra

AWS_SOLUTIONS = Match.string_like_regexp("AwsSolutions-.*")
SPECIFIC_REASON_LENGTH = 40


def test_aws_solutions_finds_nothing_unacknowledged(
    app: App, template: Template, prod_template_dict: dict[str, Any]
) -> None:
    """In every stage: dev's buckets add CDK's auto-delete-objects provider, prod's do not."""
    report = AwsSolutionsChecks(verbose=True).validate_scope(app)

    findings = [
        f"{violation.rule_name} at {[resource.construct_path for resource in violation.violating_resources]}"
        for violation in report.violations
    ]
    assert findings == []
    assert report.success


@pytest.mark.parametrize("stack_fixture", ["stack", "prod_stack"])
def test_the_stack_has_no_error_or_warning_annotation(
    request: pytest.FixtureRequest, stack_fixture: str, template: Template, prod_template_dict: dict[str, Any]
) -> None:
    stack: ShopfloorStack = request.getfixturevalue(stack_fixture)
    annotations = Annotations.from_stack(stack)

    assert annotations.find_error("*", AWS_SOLUTIONS) == []
    assert annotations.find_warning("*", AWS_SOLUTIONS) == []
    assert annotations.find_error("*", Match.any_value()) == []
    assert annotations.find_warning("*", Match.any_value()) == []


def test_every_acknowledgement_gives_a_specific_reason(app: App, template: Template) -> None:
    reasons = {
        f"{construct.node.path}: {rule}": reason
        for construct in app.node.find_all()
        for entry in construct.node.metadata
        if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY
        for rule, reason in entry.data.items()
    }

    assert reasons
    assert {where: reason for where, reason in reasons.items() if len(reason) < SPECIFIC_REASON_LENGTH} == {}
