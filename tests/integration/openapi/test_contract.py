"""The OpenAPI document is the contract: schemathesis sends every operation generated requests,
valid and invalid, through a local cloud of its own, and runs all of its checks on every answer
(server errors, status codes, content types, headers and bodies against their schemas, invalid data
refused, valid data accepted, undeclared methods, and its stateful sequences). Where a check cannot
apply to an operation, schemathesis.toml beside this file says so, and why."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.cloud import LocalCloud, Ports, start_cloud

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


def test_every_operation_answers_as_its_openapi_document_says(contract_cloud: LocalCloud) -> None:
    run = subprocess.run(
        [
            str(Path(sys.executable).parent / "st"),
            "--config-file",
            str(HERE / "schemathesis.toml"),
            "--no-color",
            "run",
            f"{contract_cloud.base_url}/openapi.json",
            "--max-examples",
            MAX_EXAMPLES,
            "--workers",
            "2",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=480,
        check=False,
    )
    report = run.stdout + run.stderr
    assert run.returncode == 0, report
    (summary,) = [line for line in report.splitlines() if " generated, " in line]
    assert summary.strip().endswith(" passed"), report  # "N generated, N passed": no case failed
