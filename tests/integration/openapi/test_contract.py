"""The OpenAPI document is the contract: schemathesis sends every operation generated requests,
valid and invalid, through a local cloud of its own, and runs all of its checks on every answer
(server errors, status codes, content types, headers and bodies against their schemas, invalid data
refused, valid data accepted, undeclared methods, and its stateful sequences). Where a check cannot
apply to an operation, schemathesis.toml beside this file says so, and why.

Every operation is run signed in as the demo customer (the public ones ignore the token; the checks
on authentication send requests without it too), and the shop's operations again signed in as the
demo manager."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.local.users import DEMO_CUSTOMER, DEMO_MANAGER
from tests.integration.cloud import LocalCloud, Ports, start_cloud
from tests.integration.shop.conftest import sign_in

HERE = Path(__file__).parent
ROOT = HERE.parents[2]
# Examples per operation: bounded so that `make test` stays well under 10 minutes on two cores.
MAX_EXAMPLES = os.environ.get("SHOPFLOOR_CONTRACT_EXAMPLES", "25")


@pytest.fixture(scope="module")
def contract_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    """A cloud of its own: the generated requests create data that other tests would count."""
    cloud = start_cloud(Ports.free(), tmp_path_factory.mktemp("contract-cloud"))
    yield cloud
    assert cloud.stop() == 0, cloud.output()


SHOP_TAGS = ("auth", "menu", "orders")
DEMO_USERS = {"customer": DEMO_CUSTOMER, "manager": DEMO_MANAGER}


def bearer(cloud: LocalCloud, role: str) -> str:
    user = sign_in(cloud.base_url, DEMO_USERS[role].email, DEMO_USERS[role].password)
    return f"Authorization: {user.headers['Authorization']}"


def schemathesis_run(cloud: LocalCloud, role: str) -> subprocess.Popen[str]:
    """One run, signed in as `role`, started at once: the two runs go side by side, one worker each.
    (Two worker threads in one run trip a CPython 3.11.7 bug, "AST constructor recursion depth
    mismatch", when Hypothesis parses lambdas' source in both threads at once.)"""
    only_the_shop = (
        [] if role == "customer" else [option for tag in SHOP_TAGS for option in ("--include-tag", tag)]
    )
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "st"),
            "--config-file",
            str(HERE / "schemathesis.toml"),
            "--no-color",
            "run",
            f"{cloud.base_url}/openapi.json",
            "--max-examples",
            MAX_EXAMPLES,
            "--workers",
            "1",
            "--header",
            bearer(cloud, role),
            *only_the_shop,
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_every_operation_answers_as_its_openapi_document_says(contract_cloud: LocalCloud) -> None:
    runs = {role: schemathesis_run(contract_cloud, role) for role in DEMO_USERS}
    reports = {role: run.communicate(timeout=480)[0] for role, run in runs.items()}

    for role, run in runs.items():
        report = f"signed in as the {role}:\n{reports[role]}"
        assert run.returncode == 0, report
        (summary,) = [line for line in report.splitlines() if " generated, " in line]
        assert summary.strip().endswith(" passed"), report  # "N generated, N passed": no case failed
