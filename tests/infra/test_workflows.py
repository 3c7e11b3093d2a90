"""The GitHub Actions workflows (.github/workflows/): zizmor finds nothing of high severity, they match
GitHub's workflow schema (check-jsonschema's bundled copy), and what the delivery pipeline promises
holds: every action pinned by commit, least permissions, dev, then e2e, then prod behind its
environment. Both tools run offline, without a GitHub token. Each check is also shown failing on a bad
workflow written to tmp_path."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from infra.topology import ROOT

WORKFLOWS_DIR = ROOT / ".github" / "workflows"
WORKFLOW_FILES = sorted(WORKFLOWS_DIR.glob("*.yml"))
BIN = Path(sys.executable).parent
# What GitHub reads as a token, and what would let zizmor go online.
TOKEN_VARIABLES = ("GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_GITHUB_TOKEN", "GH_HOST")
ROLE_ACTION = "aws-actions/configure-aws-credentials"
PINNED_USES = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<uses>.+?)\s*$")
INPUT_EXPRESSION = re.compile(r"^\$\{\{\s*inputs\.(?P<name>[\w-]+)\s*\}\}$")

CHECKOUT = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1"
GOOD = f"""\
name: good
on: push
permissions: {{}}
jobs:
  build:
    runs-on: ubuntu-24.04
    timeout-minutes: 5
    permissions:
      contents: read
    steps:
      - uses: {CHECKOUT} # v7.0.1
        with:
          persist-credentials: false
      - run: make test
"""
UNPINNED = GOOD.replace(f"{CHECKOUT} # v7.0.1", "actions/checkout@v4")


# --- reading workflows -----------------------------------------------------------------------------


def parse(text: str) -> dict[str, Any]:
    """YAML 1.2, as GitHub reads it (`on:` is a key, not True): ruamel.yaml, which check-jsonschema
    itself reads workflows with."""
    document: dict[str, Any] = YAML(typ="safe", pure=True).load(text)
    return document


def load(path: Path) -> dict[str, Any]:
    return parse(path.read_text())


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    on: Any = workflow["on"]
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return dict(on)


def jobs(workflow: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = workflow["jobs"]
    return found


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = job.get("steps", [])
    return found


def needs(job: dict[str, Any]) -> set[str]:
    found = job.get("needs", [])
    return {found} if isinstance(found, str) else set(found)


def called(job: dict[str, Any], folder: Path) -> dict[str, Any] | None:
    """The workflow of this repository that a job calls (`uses: ./.github/workflows/x.yml`)."""
    uses = job.get("uses", "")
    if not uses.startswith("./"):
        return None
    return load(folder / Path(uses).name)


def assumes_role(job: dict[str, Any], folder: Path) -> bool:
    """The job takes AWS credentials through OIDC, itself or in the workflow it calls."""
    if any(step.get("uses", "").startswith(f"{ROLE_ACTION}@") for step in steps(job)):
        return True
    workflow = called(job, folder)
    return workflow is not None and any(assumes_role(inner, folder) for inner in jobs(workflow).values())


def environments(job: dict[str, Any], folder: Path) -> set[str]:
    """The GitHub environments a job runs in: its own, or its called workflow's with its `with:`."""
    workflow = called(job, folder)
    if workflow is None:
        return {job["environment"]} if "environment" in job else set()
    given = job.get("with", {})
    found = set()
    for inner in jobs(workflow).values():
        for name in environments(inner, folder):
            expression = INPUT_EXPRESSION.match(name)
            found.add(str(given[expression["name"]]) if expression else name)
    return found


# --- the checks, each returning what it found wrong --------------------------------------------------


def unpinned_uses(text: str) -> list[str]:
    """Every `uses:` of another repository not pinned by a 40-hex commit with its `# vX.Y.Z`."""
    found = []
    for line in text.splitlines():
        match = USES_LINE.match(line)
        if match and not match["uses"].startswith("./") and not PINNED_USES.match(match["uses"]):
            found.append(match["uses"])
    return found


def id_token_outside_role_jobs(folder: Path) -> list[str]:
    """`id-token: write` anywhere but in the jobs that assume the role (and on the workflow)."""
    found = []
    for path in sorted(folder.glob("*.yml")):
        workflow = load(path)
        if "id-token" in (workflow.get("permissions") or {}):
            found.append(f"{path.name}: the workflow's permissions")
        for name, job in jobs(workflow).items():
            writes = (job.get("permissions") or {}).get("id-token") == "write"
            if writes != assumes_role(job, folder):
                found.append(f"{path.name}: {name} " + ("writes id-token" if writes else "has no id-token"))
    return found


def checkouts_keeping_credentials(folder: Path) -> list[str]:
    return [
        f"{path.name}: {name}"
        for path in sorted(folder.glob("*.yml"))
        for name, job in jobs(load(path)).items()
        for step in steps(job)
        if step.get("uses", "").startswith("actions/checkout@")
        and step.get("with", {}).get("persist-credentials") is not False
    ]


def zizmor(*paths: Path) -> list[dict[str, Any]]:
    """zizmor's findings of high severity, offline and without a token."""
    environment = {key: value for key, value in os.environ.items() if key not in TOKEN_VARIABLES}
    command = [str(BIN / "zizmor"), "--offline", "--min-severity", "high", "--format", "json"]
    completed = subprocess.run(
        [*command, *map(str, paths)], capture_output=True, text=True, env=environment, check=False
    )
    # 0: no finding; 10 + the highest severity otherwise; anything else is zizmor failing.
    assert completed.returncode == 0 or completed.returncode >= 10, completed.stderr
    findings: list[dict[str, Any]] = json.loads(completed.stdout)
    return findings


def schema_errors(*paths: Path) -> str:
    """check-jsonschema against its bundled GitHub workflow schema: "" when every file matches."""
    command = [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows"]
    completed = subprocess.run([*command, *map(str, paths)], capture_output=True, text=True, check=False)
    return "" if completed.returncode == 0 else completed.stdout + completed.stderr


# --- the project's workflows -------------------------------------------------------------------------


def test_the_workflows_are_there() -> None:
    assert {path.name for path in WORKFLOW_FILES} >= {"test.yml", "deploy.yml", "deploy-stage.yml"}


def test_zizmor_finds_nothing_of_high_severity() -> None:
    findings = zizmor(*WORKFLOW_FILES)

    assert [(finding["ident"], finding["desc"]) for finding in findings] == []


def test_every_workflow_matches_githubs_schema() -> None:
    assert schema_errors(*WORKFLOW_FILES) == ""


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda path: path.name)
def test_every_action_is_pinned_by_commit(path: Path) -> None:
    assert unpinned_uses(path.read_text()) == []


def test_only_the_jobs_that_assume_the_role_can_ask_for_an_oidc_token() -> None:
    assert id_token_outside_role_jobs(WORKFLOWS_DIR) == []


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda path: path.name)
def test_every_workflow_grants_nothing_by_default(path: Path) -> None:
    assert load(path)["permissions"] == {}


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda path: path.name)
def test_every_job_that_runs_steps_has_a_timeout(path: Path) -> None:
    untimed = [
        name for name, job in jobs(load(path)).items() if "steps" in job and "timeout-minutes" not in job
    ]

    assert untimed == []


def test_no_checkout_leaves_its_token_on_disk() -> None:
    assert checkouts_keeping_credentials(WORKFLOWS_DIR) == []


def test_every_push_and_pull_request_runs_make_test() -> None:
    workflow = load(WORKFLOWS_DIR / "test.yml")
    runs = [step.get("run") for job in jobs(workflow).values() for step in steps(job)]

    assert {"push", "pull_request", "workflow_call"} <= set(triggers(workflow))
    assert triggers(workflow)["push"] is None  # every branch
    assert "make test" in runs


def test_the_deploy_runs_on_main_tests_first_then_dev_then_e2e_then_prod() -> None:
    workflow = load(WORKFLOWS_DIR / "deploy.yml")
    deploy = jobs(workflow)

    assert triggers(workflow)["push"] == {"branches": ["main"]}
    assert "workflow_dispatch" in triggers(workflow)
    assert deploy["test"]["uses"] == "./.github/workflows/test.yml"
    assert deploy["test"]["if"] == "github.ref == 'refs/heads/main'"
    assert needs(deploy["deploy-dev"]) == {"test"}
    assert needs(deploy["e2e"]) == {"deploy-dev"}
    assert needs(deploy["deploy-prod"]) == {"e2e"}
    assert workflow["concurrency"] == {"group": "deploy", "cancel-in-progress": False}


def test_each_deploy_runs_in_its_stages_environment() -> None:
    deploy = jobs(load(WORKFLOWS_DIR / "deploy.yml"))

    assert environments(deploy["deploy-dev"], WORKFLOWS_DIR) == {"dev"}
    assert environments(deploy["e2e"], WORKFLOWS_DIR) == {"dev"}
    assert environments(deploy["deploy-prod"], WORKFLOWS_DIR) == {"prod"}


def test_a_deploy_runs_make_deploy_of_its_stage_and_e2e_reads_dev_s_outputs() -> None:
    (deploy,) = jobs(load(WORKFLOWS_DIR / "deploy-stage.yml")).values()
    e2e = jobs(load(WORKFLOWS_DIR / "deploy.yml"))["e2e"]
    e2e_script = "\n".join(step.get("run", "") for step in steps(e2e))

    assert steps(deploy)[-1]["env"] == {"STAGE": "${{ inputs.stage }}"}
    assert steps(deploy)[-1]["run"].startswith('make deploy STAGE="$STAGE"')
    assert "--stack-name Shopfloor-Dev-Edge" in e2e_script
    assert {"ApiUrl", "SiteUrl"} <= set(re.findall(r"output (\w+)", e2e_script))
    assert steps(e2e)[-1]["run"] == "make e2e"


# --- each check fails on a bad workflow ----------------------------------------------------------------


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def test_the_good_example_passes_every_check(tmp_path: Path) -> None:
    path = write(tmp_path, "good.yml", GOOD)

    assert zizmor(path) == []
    assert schema_errors(path) == ""
    assert unpinned_uses(GOOD) == []
    assert id_token_outside_role_jobs(tmp_path) == []
    assert checkouts_keeping_credentials(tmp_path) == []


def test_zizmor_reports_an_action_pinned_by_tag(tmp_path: Path) -> None:
    findings = zizmor(write(tmp_path, "unpinned.yml", UNPINNED))

    assert [finding["ident"] for finding in findings] == ["unpinned-uses"]


def test_zizmor_reports_untrusted_input_expanded_in_a_script(tmp_path: Path) -> None:
    injected = GOOD.replace("on: push", "on: pull_request").replace(
        "run: make test", 'run: echo "${{ github.event.pull_request.title }}"'
    )

    findings = zizmor(write(tmp_path, "injected.yml", injected))

    assert "template-injection" in {finding["ident"] for finding in findings}


def test_the_schema_check_reports_a_job_without_a_runner(tmp_path: Path) -> None:
    errors = schema_errors(write(tmp_path, "runnerless.yml", GOOD.replace("    runs-on: ubuntu-24.04\n", "")))

    assert "runnerless.yml" in errors


def test_the_pin_check_reports_a_tag_and_a_sha_without_its_version() -> None:
    without_version = GOOD.replace(" # v7.0.1", "")

    assert unpinned_uses(UNPINNED) == ["actions/checkout@v4"]
    assert unpinned_uses(without_version) == [CHECKOUT]


def test_the_id_token_check_reports_it_in_a_job_that_assumes_no_role(tmp_path: Path) -> None:
    write(tmp_path, "greedy.yml", GOOD.replace("contents: read", "contents: read\n      id-token: write"))

    assert id_token_outside_role_jobs(tmp_path) == ["greedy.yml: build writes id-token"]


def test_the_id_token_check_reports_a_role_assumed_through_a_called_workflow_without_it(
    tmp_path: Path,
) -> None:
    for name in ("test.yml", "deploy-stage.yml"):
        write(tmp_path, name, (WORKFLOWS_DIR / name).read_text())
    deploy = (WORKFLOWS_DIR / "deploy.yml").read_text()
    write(
        tmp_path,
        "deploy.yml",
        deploy.replace("      id-token: write # to assume the deploy role through OIDC\n", ""),
    )

    assert id_token_outside_role_jobs(tmp_path) == [
        "deploy.yml: deploy-dev has no id-token",
        "deploy.yml: e2e has no id-token",
        "deploy.yml: deploy-prod has no id-token",
    ]


def test_the_checkout_check_reports_persisted_credentials(tmp_path: Path) -> None:
    write(tmp_path, "persisting.yml", GOOD.replace("persist-credentials: false", "persist-credentials: true"))

    assert checkouts_keeping_credentials(tmp_path) == ["persisting.yml: build"]


def test_the_environment_check_follows_the_stage_given_to_the_called_workflow(tmp_path: Path) -> None:
    write(tmp_path, "deploy-stage.yml", (WORKFLOWS_DIR / "deploy-stage.yml").read_text())
    prod_as_dev = parse((WORKFLOWS_DIR / "deploy.yml").read_text())
    prod_as_dev["jobs"]["deploy-prod"]["with"]["stage"] = "dev"

    assert environments(jobs(prod_as_dev)["deploy-prod"], tmp_path) == {"dev"}
