"""Cold start of every function against DynamoDB Local, beside the floor measured in the same run.

A cold start is one fresh interpreter importing the function's handler module and serving its
first representative event. The floor is a fresh interpreter that imports boto3, creates a
DynamoDB client and makes one GetItem against the same DynamoDB. Runs are interleaved so that
drift in the machine's load falls on every column alike.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from infra.build import function_code_dir
from infra.local.users import DEMO_CUSTOMER
from infra.topology import FUNCTIONS, Function
from tests.helpers.events import api_event, scheduled_event, sqs_event, stream_event

PROBE = Path(__file__).with_name("cold_probe.py")
# A function's first event, or what makes a new one for each run.
Event = dict[str, Any] | Callable[[], dict[str, Any]]


def _typed(value: Any) -> dict[str, Any]:
    if value is None:
        return {"NULL": True}
    if isinstance(value, str):
        return {"S": value}
    return {"N": str(value)}


TARGET_RATIO = 1.5


WARRANTY = {
    "store_uuid": "5b0c1f9e-8d2a-4c3e-9f1a-2b7d6e4c8a10",
    "item_type": "electronics",
    "item_sku": "TV-55",
    "item_cost": 1299.99,
    "item_title": "55-inch television",
}
WARRANTY_RESPONSE = {
    "id": 1,
    "store": {"uuid": WARRANTY["store_uuid"], "created_at": "2026-11-22T10:00:00Z"},
    "item": {"type": "electronics", "sku": "TV-55", "cost": 1299.99, "title": "55-inch television"},
    "warranty_price": 102.0,
    "warranty_duration_months": 36,
    "created_at": "2026-11-22T10:00:00Z",
}
# The warranties table's new image, as the stream carries it to the archiver.
WARRANTY_IMAGE = {
    "id": {"N": "1"},
    "created_at": {"S": "2026-11-22T10:00:00Z"},
    "request": {"S": json.dumps(WARRANTY)},
    "response": {"S": json.dumps(WARRANTY_RESPONSE)},
}


# An order's new image as the stream carries it to order-events, and its event as the rule's queue
# carries it to the notifier (an order placed: an e-mail to the customer and one to the shop).
ORDER_LINE: dict[str, Any] = {
    "product_id": 1,
    "variation_id": None,
    "name": "Tea",
    "unit_price": 2.5,
    "quantity": 1,
    "line_total": 2.5,
}
ORDER_IMAGE = {
    "id": {"N": "1"},
    "customer": {"S": "customer@example.com"},
    "status": {"S": "waiting"},
    "total": {"N": "2.5"},
    "lines": {"L": [{"M": {name: _typed(value) for name, value in ORDER_LINE.items()}}]},
    "events": {
        "L": [
            {"M": {"status": {"S": "waiting"}, "at": {"S": "2026-12-01T10:00:00Z"}, "by": {"S": "customer"}}}
        ]
    },
}
ORDER_PLACED: dict[str, Any] = {
    "version": "0",
    "id": "7f3c2b1a-0000-4000-8000-000000000001",
    "detail-type": "OrderPlaced",
    "source": "shopfloor.shop",
    "account": "123456789012",
    "time": "2026-12-01T10:00:00Z",
    "region": "us-east-1",
    "resources": [],
    "detail": {
        "order_id": 1,
        "step": 0,
        "customer": "customer@example.com",
        "status": "waiting",
        "previous_status": None,
        "at": "2026-12-01T10:00:00Z",
        "total": 2.5,
        "lines": [ORDER_LINE],
    },
}


def _placed_event() -> dict[str, Any]:
    detail = {**ORDER_PLACED["detail"], "order_id": random.randrange(10**9, 10**12)}
    return sqs_event(json.dumps({**ORDER_PLACED, "detail": detail}), queue="order-emails")


SIGN_IN = {"username": DEMO_CUSTOMER.email, "password": DEMO_CUSTOMER.password}
CUSTOMER_CLAIMS = {"sub": "cold-start", "email": "customer@example.com", "cognito:groups": "customers"}


def representative_events(offers_id: str) -> dict[str, tuple[str, Event]]:
    """Each function's first event, with a label for the table."""
    sync = {"product_id": 1, "offers_id": offers_id, "registered": True}
    return {
        "products": ("GET /products/1", api_event("GET", "/products/1")),
        "health": ("GET /health", api_event("GET", "/health")),
        "docs": ("GET /openapi.json", api_event("GET", "/openapi.json")),
        "offers": ("GET /products/1/offers", api_event("GET", "/products/1/offers")),
        "offers-dispatch": ("scheduled event", scheduled_event()),
        "offers-worker": ("SQS batch of 1", sqs_event(json.dumps(sync))),
        "warranties": ("POST /warranties", api_event("POST", "/warranties", body=WARRANTY)),
        "warranty-archiver": ("stream batch of 1", stream_event([WARRANTY_IMAGE])),
        "factories": ("GET /v1/factories/1", api_event("GET", "/v1/factories/1")),
        "sprockets": ("GET /v1/sprockets/1", api_event("GET", "/v1/sprockets/1")),
        "auth": ("POST /auth/token", api_event("POST", "/auth/token", body=SIGN_IN)),
        "menu": ("GET /menu", api_event("GET", "/menu")),
        "orders": ("GET /orders", api_event("GET", "/orders", claims=CUSTOMER_CLAIMS)),
        "order-events": ("stream batch of 1", stream_event([ORDER_IMAGE], table="orders")),
        # A new event each run: one already e-mailed would send nothing.
        "notifier": ("SQS batch: OrderPlaced", _placed_event),
    }


def _run_probe(args: list[str], env: Mapping[str, str], cwd: Path) -> float:
    return float(_probe(args, env, cwd).outcome["ms"])


@dataclass(frozen=True)
class ProbeResult:
    outcome: dict[str, Any]
    stdout: str


def _probe(args: list[str], env: Mapping[str, str], cwd: Path) -> ProbeResult:
    with tempfile.NamedTemporaryFile(suffix=".json") as result:
        finished = subprocess.run(
            [sys.executable, str(PROBE), result.name, *args],
            env=dict(env),
            cwd=cwd,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        outcome = json.loads(Path(result.name).read_text(encoding="utf-8"))
    if not outcome["ok"]:
        raise RuntimeError(f"probe {args[0]} failed: {outcome['answer']}")
    return ProbeResult(outcome, finished.stdout)


@dataclass(frozen=True)
class Footprint:
    """A fresh interpreter that imported the function's handler and served one event."""

    peak_rss_mb: float
    # The `service` of every metric it printed (Powertools' EMF lines on stdout).
    metric_services: frozenset[str]


def footprint(function: Function, env: Mapping[str, str], event: Event) -> Footprint:
    served = event() if callable(event) else event
    environment = {**env, "POWERTOOLS_LOG_LEVEL": "WARNING", "PATH": os.environ.get("PATH", "")}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    probed = _probe(["handler", json.dumps(served)], environment, function_code_dir(function))
    services = set()
    for line in probed.stdout.splitlines():
        if line.startswith('{"_aws"'):
            services.add(str(json.loads(line).get("service")))
    return Footprint(probed.outcome["peak_rss_kb"] / 1024, frozenset(services))


def _handler_run(code_dir: Path, env: Mapping[str, str], event: Event) -> float:
    quiet = {**env, "POWERTOOLS_LOG_LEVEL": "WARNING", "PATH": os.environ.get("PATH", "")}
    # The warm-up run writes bytecode for every side alike, as site-packages already has it.
    quiet.pop("PYTHONDONTWRITEBYTECODE", None)
    served = event() if callable(event) else event
    return _run_probe(["handler", json.dumps(served)], quiet, code_dir)


def _floor_run(env: Mapping[str, str], products_table: str) -> float:
    key = json.dumps({"id": {"N": "1"}})
    return _run_probe(
        ["floor", products_table, key], {**env, "PATH": os.environ.get("PATH", "")}, PROBE.parent
    )


def measure(
    environments: Mapping[str, Mapping[str, str]],
    floor_environment: Mapping[str, str],
    products_table: str,
    events: Mapping[str, tuple[str, Event]],
    runs: int,
) -> dict[str, list[float]]:
    """Milliseconds per run for the floor and every function, after one unmeasured warm-up each."""
    samples: dict[str, list[float]] = {"floor": []}
    for function in FUNCTIONS:
        samples[function.name] = []
    probes: list[tuple[str, Callable[[], float]]] = [
        ("floor", lambda: _floor_run(floor_environment, products_table))
    ]
    for function in FUNCTIONS:
        event = events[function.name][1]
        run = partial(_handler_run, function_code_dir(function), environments[function.name], event)
        probes.append((function.name, run))
    for round_number in range(runs + 1):
        # Each round starts one probe later: whatever the first probe after a pause pays falls on
        # every column alike, not always on the same one.
        shift = round_number % len(probes)
        measured = {name: probe() for name, probe in probes[shift:] + probes[:shift]}
        if round_number == 0:
            continue  # the warm-up writes bytecode caches for every side alike
        for name, milliseconds in measured.items():
            samples[name].append(milliseconds)
    return samples


def table(samples: dict[str, list[float]], events: Mapping[str, tuple[str, Event]]) -> str:
    floor = statistics.median(samples["floor"])
    lines = [
        f"Cold start: median of {len(samples['floor'])} fresh interpreters (import handler + first event)",
        f"{'function':<16} {'event':<22} {'median ms':>10} {'floor ms':>9} {'ratio':>6}"
        f"  target <= {TARGET_RATIO}",
    ]
    for function in FUNCTIONS:
        label = events[function.name][0]
        median = statistics.median(samples[function.name])
        ratio = median / floor
        verdict = "ok" if ratio <= TARGET_RATIO else "OVER"
        lines.append(
            f"{function.name:<16} {label:<22} {median:>10.1f} {floor:>9.1f} {ratio:>6.2f}  {verdict}"
        )
    lines.append(f"{'floor':<16} {'boto3 + GetItem':<22} {floor:>10.1f} {floor:>9.1f} {1:>6.2f}")
    return "\n".join(lines)
