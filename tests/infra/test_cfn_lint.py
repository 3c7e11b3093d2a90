"""cfn-lint with the serverless rules (cfn-lint-serverless) over the synthesized template: nothing is
found that .cfnlintrc.yaml does not ignore, each ignored rule says why, and none is ignored in vain.

The linter reads the same configuration file as `cfn-lint cdk.out/assembly-Dev/*.template.json` does from
the repository root (cfnlint.config.ConfigMixIn with `--config-file`, then cfnlint.runner.Runner,
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

from infra.topology import ROOT

pytestmark = pytest.mark.infra

CONFIG = ROOT / ".cfnlintrc.yaml"
SERVERLESS_RULES = "cfn_lint_serverless.rules"
TEMPLATES = ("template_dict", "prod_template_dict", "alarm_email_template_dict")
_IGNORED_ENTRY = re.compile(r"^\s+- (\S+)\s*$")


def _config(*arguments: str) -> ConfigMixIn:
    return ConfigMixIn(list(arguments))


def _ignored() -> list[str]:
    return list(_config("--config-file", str(CONFIG)).ignore_checks)


def _lint(template_dict: dict[str, Any], folder: Path, config_file: Path) -> list[Match]:
    template = folder / "template.json"
    template.write_text(json.dumps(template_dict))
    return list(Runner(_config("--config-file", str(config_file), "--template", str(template))).run())


def _described(matches: list[Match]) -> list[str]:
    return sorted(f"{match.rule.id} {match.message}" for match in matches)


def test_the_configuration_adds_the_serverless_rules() -> None:
    config = _config("--config-file", str(CONFIG))
    rule_ids = set(Runner(config).rules.keys())

    assert SERVERLESS_RULES in config.append_rules
    assert {"WS1000", "ES1001", "WS1004", "ES4000", "ES6000", "ES7000"} <= rule_ids


@pytest.mark.parametrize("template_fixture", TEMPLATES)
def test_cfn_lint_finds_nothing_the_configuration_does_not_ignore(
    request: pytest.FixtureRequest, tmp_path: Path, template_fixture: str
) -> None:
    template_dict = request.getfixturevalue(template_fixture)

    assert _described(_lint(template_dict, tmp_path, CONFIG)) == []


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


def test_every_ignored_rule_still_finds_something(template_dict: dict[str, Any], tmp_path: Path) -> None:
    """Once the CDK code (or the rule) changes so that an ignored rule finds nothing, its ignore goes."""
    configured = _config("--config-file", str(CONFIG))
    without_ignores = tmp_path / "cfnlintrc.yaml"  # JSON is YAML
    without_ignores.write_text(
        json.dumps({"append_rules": [SERVERLESS_RULES], "regions": configured.regions})
    )

    found = {match.rule.id for match in _lint(template_dict, tmp_path, without_ignores)}

    assert set(_ignored()) - found == set()
