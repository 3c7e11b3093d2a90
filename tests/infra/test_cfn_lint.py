"""cfn-lint with the serverless rules (cfn-lint-serverless) over each stack's template, as CloudFormation
deploys it: nothing is found that .cfnlintrc.yaml does not ignore, each ignored rule says why, and none
is ignored in vain.

Each stack of the dev and prod stages (and of dev with `-c alarmEmail=...`) is linted on its own, as
`cfn-lint cdk.out/assembly-Dev/*.template.json cdk.out/assembly-Prod/*.template.json` lints what
`make synth` writes (one template per stack), not the stage read as one: a stack reads what another
publishes with `Fn::GetStackOutput` (CDK's weak cross-stack references), which cfn-lint checks (E1033)
like any other intrinsic function. The linter reads the same configuration file as that command does
from the repository root (cfnlint.config.ConfigMixIn with `--config-file`, then cfnlint.runner.Runner,
what cfn-lint's own CLI and `cfnlint.api.lint_file` do).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint.config import ConfigMixIn
from cfnlint.rules import Match
from cfnlint.runner import Runner

from infra.stack import EDGE, PLATFORM, STACK_PARTS, ShopfloorStage
from infra.stages import DEV, PROD, StageSettings
from infra.topology import ROOT
from tests.infra.conftest import stack_templates
from tests.infra.template import stack_output_reads, stack_reads

pytestmark = pytest.mark.infra

CONFIG = ROOT / ".cfnlintrc.yaml"
SERVERLESS_RULES = "cfn_lint_serverless.rules"
# cfn-lint's rule for Fn::GetStackOutput's arguments (cfnlint.rules.functions.GetStackOutput).
GET_STACK_OUTPUT_RULE = "E1033"
# Each variant's templates (a fixture: stack name -> template) and the stage that names its stacks.
VARIANTS: dict[str, StageSettings] = {
    "templates": DEV,
    "prod_templates": PROD,
    "alarm_email_templates": DEV,
}
_IGNORED_ENTRY = re.compile(r"^\s+- (\S+)\s*$")


@pytest.fixture(scope="session")
def alarm_email_templates(alarm_email_stage: ShopfloorStage) -> dict[str, dict[str, Any]]:
    """Dev's stacks with `-c alarmEmail=...` (the topic's subscription, its dead-letter queue)."""
    return stack_templates(alarm_email_stage)


def _config(*arguments: str) -> ConfigMixIn:
    return ConfigMixIn(list(arguments))


def _ignored() -> list[str]:
    return list(_config("--config-file", str(CONFIG)).ignore_checks)


def _lint(
    template_dict: dict[str, Any], folder: Path, config_file: Path, name: str = "template"
) -> list[Match]:
    return _lint_all({name: template_dict}, folder, config_file)


def _lint_all(templates: dict[str, dict[str, Any]], folder: Path, config_file: Path) -> list[Match]:
    """Every template (by stack name) in one cfn-lint run: it loads its rules once, not once a stack."""
    paths = []
    for name, template_dict in templates.items():
        path = folder / f"{name}.template.json"
        path.write_text(json.dumps(template_dict))
        paths.append(str(path))
    return list(Runner(_config("--config-file", str(config_file), "--template", *paths)).run())


def _described(matches: list[Match]) -> list[str]:
    return sorted(f"{Path(match.filename or '').name}: {match.rule.id} {match.message}" for match in matches)


def test_the_configuration_adds_the_serverless_rules() -> None:
    config = _config("--config-file", str(CONFIG))
    rule_ids = set(Runner(config).rules.keys())

    assert SERVERLESS_RULES in config.append_rules
    assert {"WS1000", "ES1001", "WS1004", "ES4000", "ES6000", "ES7000"} <= rule_ids


@pytest.mark.parametrize("variant", VARIANTS)
def test_cfn_lint_finds_nothing_the_configuration_does_not_ignore_in_any_stack(
    request: pytest.FixtureRequest, tmp_path: Path, variant: str
) -> None:
    """Every stack of dev and prod; of dev with `-c alarmEmail=...`, the stacks it changes."""
    templates: dict[str, dict[str, Any]] = request.getfixturevalue(variant)
    settings = VARIANTS[variant]
    if variant == "alarm_email_templates":
        dev: dict[str, dict[str, Any]] = request.getfixturevalue("templates")
        templates = {name: template for name, template in templates.items() if template != dev[name]}
        assert list(templates) == [settings.stack_name(PLATFORM)]
    else:
        assert list(templates) == [settings.stack_name(each) for each in STACK_PARTS]
    assert _described(_lint_all(templates, tmp_path, CONFIG)) == []


def test_the_stacks_reads_of_one_another_are_linted_not_ignored(
    templates: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    """The templates linted are the deployed ones, whose cross-stack reads are Fn::GetStackOutput
    (not the merged view, where they are resolved), and cfn-lint checks those reads: one with a
    misspelt argument is a finding, which no ignore hides."""
    edge = templates[DEV.stack_name(EDGE)]
    text = json.dumps(edge)
    published = next(
        read["OutputName"] for read in stack_output_reads(edge) if read["StackName"] == DEV.stack_name("Data")
    )
    broken = json.loads(text.replace(f'"OutputName": "{published}"', f'"Output": "{published}"'))

    assert stack_reads(edge)
    assert broken != edge
    assert GET_STACK_OUTPUT_RULE not in _ignored()
    assert {match.rule.id for match in _lint(broken, tmp_path, CONFIG)} == {GET_STACK_OUTPUT_RULE}


def test_each_ignored_rule_is_a_whole_rule_id_with_its_reason_above_it() -> None:
    lines = CONFIG.read_text().splitlines()
    rule_ids = set(Runner(_config("--config-file", str(CONFIG))).rules.keys())
    reasons: dict[str, list[str]] = {}
    for number, line in enumerate(lines):
        entry = _IGNORED_ENTRY.match(line)
        if entry and entry.group(1) in _ignored():
            comment: list[str] = []
            for above in reversed(lines[:number]):
                if not above.strip().startswith("#"):
                    break
                comment.insert(0, above.strip().lstrip("# "))
            reasons[entry.group(1)] = comment

    assert set(reasons) == set(_ignored())
    # A prefix ("W", "ES1") would silence rules nobody has looked at.
    assert set(_ignored()) <= rule_ids
    assert {rule: text for rule, text in reasons.items() if len(" ".join(text)) < 80} == {}


def test_every_ignored_rule_still_finds_something(
    templates: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    """In some stack of the dev stage. Once the CDK code (or the rule) changes so that an ignored rule
    finds nothing, its ignore goes."""
    configured = _config("--config-file", str(CONFIG))
    without_ignores = tmp_path / "cfnlintrc.yaml"  # JSON is YAML
    without_ignores.write_text(
        json.dumps({"append_rules": [SERVERLESS_RULES], "regions": configured.regions})
    )

    found = {match.rule.id for match in _lint_all(templates, tmp_path, without_ignores)}

    assert set(_ignored()) - found == set()
