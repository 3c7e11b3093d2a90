"""Cold start of every function against DynamoDB Local, beside the floor measured in the same run.

A cold start is one fresh interpreter importing the function's handler module and serving its
first representative event. The floor is a fresh interpreter that imports boto3, creates a
DynamoDB client and makes one GetItem against the same DynamoDB. Runs are interleaved so that
drift in the machine's load falls on every column alike.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from infra.topology import FUNCTIONS, SHARED_LAYER_DIR, Function, function_environment
from tests.helpers.events import api_event

PROBE = Path(__file__).with_name("cold_probe.py")
TARGET_RATIO = 1.5

REPRESENTATIVE_EVENTS: Mapping[str, dict[str, Any]] = {
    "products": api_event("GET", "/products/1"),
    "health": api_event("GET", "/health"),
    "docs": api_event("GET", "/openapi.json"),
}


def _aws_environment(endpoint: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
    }


def _run_probe(args: list[str], env: dict[str, str], cwd: Path) -> float:
    with tempfile.NamedTemporaryFile(suffix=".json") as result:
        subprocess.run(
            [sys.executable, str(PROBE), result.name, *args],
            env=env,
            cwd=cwd,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        outcome = json.loads(Path(result.name).read_text(encoding="utf-8"))
    if not 200 <= int(outcome["status"]) < 300:
        raise RuntimeError(f"probe {args[0]} answered {outcome['status']}")
    return float(outcome["ms"])


def _handler_run(function: Function, endpoint: str, table_names: Mapping[str, str]) -> float:
    env = {
        **_aws_environment(endpoint),
        **function_environment(function, table_names),
        "PYTHONPATH": os.pathsep.join([str(function.code_dir), str(SHARED_LAYER_DIR / "python")]),
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
    return _run_probe(["handler", json.dumps(REPRESENTATIVE_EVENTS[function.name])], env, function.code_dir)


def _floor_run(endpoint: str, table_names: Mapping[str, str]) -> float:
    key = json.dumps({"id": {"N": "1"}})
    return _run_probe(["floor", table_names["products"], key], _aws_environment(endpoint), PROBE.parent)


def measure(endpoint: str, table_names: Mapping[str, str], runs: int) -> dict[str, list[float]]:
    """Milliseconds per run for the floor and every function, after one unmeasured warm-up each."""
    samples: dict[str, list[float]] = {"floor": []}
    for function in FUNCTIONS:
        samples[function.name] = []
    for round_number in range(runs + 1):
        floor = _floor_run(endpoint, table_names)
        measured = {function.name: _handler_run(function, endpoint, table_names) for function in FUNCTIONS}
        if round_number == 0:
            continue  # the warm-up writes bytecode caches for every side alike
        samples["floor"].append(floor)
        for name, milliseconds in measured.items():
            samples[name].append(milliseconds)
    return samples


def table(samples: dict[str, list[float]]) -> str:
    floor = statistics.median(samples["floor"])
    lines = [
        f"Cold start: median of {len(samples['floor'])} fresh interpreters (import handler + first event)",
        f"{'function':<10} {'event':<22} {'median ms':>10} {'floor ms':>9} {'ratio':>6}"
        f"  target <= {TARGET_RATIO}",
    ]
    for function in FUNCTIONS:
        event = REPRESENTATIVE_EVENTS[function.name]
        median = statistics.median(samples[function.name])
        ratio = median / floor
        verdict = "ok" if ratio <= TARGET_RATIO else "OVER"
        label = f"{event['httpMethod']} {event['path']}"
        lines.append(
            f"{function.name:<10} {label:<22} {median:>10.1f} {floor:>9.1f} {ratio:>6.2f}  {verdict}"
        )
    lines.append(f"{'floor':<10} {'boto3 + GetItem':<22} {floor:>10.1f} {floor:>9.1f} {1:>6.2f}")
    return "\n".join(lines)
