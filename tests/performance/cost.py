"""What a million requests of each route, and a million events of each asynchronous path, cost at
list prices (prices.py), from what the calls benchmark's scenarios measured (calls.py).

Per request (or event): the AWS calls; the DynamoDB read and write units the responses report
(ReturnConsumedCapacity=TOTAL, indexes included; a refused conditional write's units, which no
response reports, computed from the item's size: tests/helpers/aws_calls.py); the SQS messages,
EventBridge events and SES e-mails sent (entries, not calls); and Lambda: one request per
invocation, and the invocation's warm duration at the function's configured memory, rounded up to
the millisecond, in GB-seconds. A route's row is the first scenario that measured it.

The duration is measured here on a full core. Lambda gives a function CPU in proportion to its
memory, a whole vCPU at 1,769 MB: the handler's own CPU time (this thread's) is stretched by
1,769 / memory below that, and the rest of the wall time (waiting on DynamoDB, SES, ...) is kept.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.topology import FUNCTIONS, Function, all_routes
from tests.performance import calls
from tests.performance.calls import Bench, Row
from tests.performance.prices import MILLION, PRICES, Prices

FUNCTIONS_BY_NAME: Mapping[str, Function] = {function.name: function for function in FUNCTIONS}
# Lambda's memory at which a function has one whole vCPU.
FULL_VCPU_MB = 1769
# Issue 19: a read by key, through the HTTP API, at most this much a million.
READ_BY_KEY_TARGET_USD = 1.50
READS_BY_KEY = ("GET /products/{id}", "GET /menu", "GET /orders/{id}")
HEALTH_PATH = "/health"


def ms_at_memory(wall_ms: float, cpu_ms: float, memory_mb: int) -> float:
    """A call's duration on Lambda at `memory_mb`: its CPU time stretched by the CPU share."""
    share = min(1.0, memory_mb / FULL_VCPU_MB)
    return (wall_ms - cpu_ms) + cpu_ms / share


@dataclass(frozen=True)
class Part:
    """`per_unit` units of a scenario's row in one request or event of a path."""

    row: str
    per_unit: float = 1.0


@dataclass(frozen=True)
class EventPath:
    name: str
    parts: tuple[Part, ...]
    # Messages an EventBridge rule puts in a queue per event (its target: no call of ours).
    rule_deliveries: int = 0


EVENT_PATHS = (
    EventPath(
        "offers sync, a product a cycle (nothing changed)",
        (Part(calls.DISPATCH_ROW), Part(calls.WORKER_UNCHANGED_ROW)),
    ),
    EventPath(
        "offers sync, a product a cycle (offers written)",
        (Part(calls.DISPATCH_ROW), Part(calls.WORKER_FIRST_SYNC_ROW)),
    ),
    EventPath("warranty archived", (Part(calls.ARCHIVER_ROW),)),
    EventPath(
        "order placed: event, customer's + shop's e-mails",
        (Part(calls.ORDER_EVENTS_PLACED_ROW), Part(calls.NOTIFIER_PLACED_ROW, per_unit=2)),
        rule_deliveries=1,
    ),
    EventPath(
        "order status changed: event, customer's e-mail",
        (Part(calls.ORDER_EVENTS_CHANGED_ROW), Part(calls.NOTIFIER_CHANGED_ROW)),
        rule_deliveries=1,
    ),
)


@dataclass
class LambdaUse:
    function: str
    memory_mb: int
    invocations: float
    median_ms: float
    median_cpu_ms: float
    ms_at_memory: float

    @property
    def billed_ms(self) -> int:
        return math.ceil(self.ms_at_memory)

    def usd(self, prices: Prices) -> float:
        gb_seconds = self.billed_ms / 1000 * self.memory_mb / 1024
        per_invocation = (
            gb_seconds * prices.lambda_arm64_per_gb_second + prices.lambda_per_million_requests / MILLION
        )
        return self.invocations * per_invocation

    def as_json(self) -> dict[str, Any]:
        return {
            "function": self.function,
            "memory_mb": self.memory_mb,
            "invocations": round(self.invocations, 4),
            "median_ms": round(self.median_ms, 2),
            "median_cpu_ms": round(self.median_cpu_ms, 2),
            "ms_at_memory": round(self.ms_at_memory, 2),
            "billed_ms": self.billed_ms,
        }


@dataclass
class Consumption:
    """What one request or event consumes."""

    scenarios: list[str] = field(default_factory=list)
    calls: dict[str, float] = field(default_factory=dict)
    read_units: float = 0.0
    write_units: float = 0.0
    computed_write_units: float = 0.0
    sqs_messages: float = 0.0
    events: float = 0.0
    emails: float = 0.0
    lambdas: list[LambdaUse] = field(default_factory=list)

    def add(self, row: Row, per_unit: float) -> None:
        share = per_unit / row.served
        self.scenarios.append(row.label if per_unit == 1 else f"{per_unit:g} x {row.label}")
        for name, count in row.calls.items():
            self.calls[name] = self.calls.get(name, 0.0) + count * share
        self.read_units += row.usage.read_units * share
        self.write_units += row.usage.write_units * share
        self.computed_write_units += row.usage.computed_write_units * share
        self.sqs_messages += row.usage.sqs_messages * share
        self.events += row.usage.events * share
        self.emails += row.usage.emails * share
        memory = FUNCTIONS_BY_NAME[row.function].memory_mb
        at_memory = [ms_at_memory(i.wall_ms, i.cpu_ms, memory) for i in row.invocations]
        self.lambdas.append(
            LambdaUse(
                function=row.function,
                memory_mb=memory,
                invocations=len(row.invocations) * share,
                median_ms=row.median_wall_ms(),
                median_cpu_ms=row.median_cpu_ms(),
                ms_at_memory=statistics.median(at_memory),
            )
        )

    def by_service(self, prices: Prices, api_requests: int) -> dict[str, float]:
        """US dollars a million, by service."""
        per_unit = {
            "api": api_requests * prices.http_api_per_million_requests / MILLION,
            "lambda": sum(use.usd(prices) for use in self.lambdas),
            "dynamodb": (
                self.read_units * prices.dynamodb_per_million_read_units
                + self.write_units * prices.dynamodb_per_million_write_units
            )
            / MILLION,
            "sqs": self.sqs_messages * prices.sqs_per_million_requests / MILLION,
            "eventbridge": self.events * prices.eventbridge_per_million_events / MILLION,
            "ses": self.emails * prices.ses_per_thousand_emails / 1000,
            "s3": self.calls.get("s3.PutObject", 0.0) * prices.s3_per_thousand_puts / 1000,
            "secretsmanager": self.calls.get("secretsmanager.GetSecretValue", 0.0)
            * prices.secrets_manager_per_10k_calls
            / 10_000,
        }
        return {service: usd * MILLION for service, usd in per_unit.items()}

    def as_json(self) -> dict[str, Any]:
        return {
            "scenarios": self.scenarios,
            "aws_calls": {name: round(count, 4) for name, count in sorted(self.calls.items())},
            "dynamodb_read_units": round(self.read_units, 4),
            "dynamodb_write_units": round(self.write_units, 4),
            "dynamodb_write_units_computed_from_item_sizes": round(self.computed_write_units, 4),
            "sqs_messages": round(self.sqs_messages, 4),
            "eventbridge_events": round(self.events, 4),
            "ses_emails": round(self.emails, 4),
            "lambda": [use.as_json() for use in self.lambdas],
        }


@dataclass
class Priced:
    name: str
    consumption: Consumption
    by_service: dict[str, float]
    rest_api: float | None = None
    cloudfront: float | None = None
    target_met: bool | None = None
    advice: str = ""

    @property
    def total(self) -> float:
        return sum(self.by_service.values())

    @property
    def largest(self) -> str:
        return max(self.by_service, key=lambda service: self.by_service[service])

    def as_json(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"usd_per_million": round(self.total, 4)}
        if self.rest_api is not None:
            answer["rest_api_usd_per_million"] = round(self.rest_api, 4)
            answer["cloudfront_adds_usd_per_million"] = round(self.cloudfront or 0.0, 4)
        answer["by_service"] = {service: round(usd, 4) for service, usd in self.by_service.items()}
        answer["largest"] = {"service": self.largest, "what_would_cut_it": self.advice}
        if self.target_met is not None:
            answer["target"] = {"usd_per_million_at_most": READ_BY_KEY_TARGET_USD, "met": self.target_met}
        answer["measured"] = self.consumption.as_json()
        return answer


def price_routes(bench: Bench, prices: Prices = PRICES) -> list[Priced]:
    priced = []
    for route, _ in all_routes():
        key = f"{route.method} {route.path}"
        row = next(row for row in bench.rows if (route.method, route.path) in row.routes)
        consumption = Consumption()
        consumption.add(row, 1)
        by_service = consumption.by_service(prices, api_requests=1)
        rest = prices.rest_api_per_million_requests - prices.http_api_per_million_requests
        entry = Priced(
            name=key,
            consumption=consumption,
            by_service=by_service,
            rest_api=sum(by_service.values()) + rest,
            cloudfront=prices.cloudfront_per_10k_https_requests * MILLION / 10_000,
        )
        if key in READS_BY_KEY:
            entry.target_met = entry.total <= READ_BY_KEY_TARGET_USD
        # A health probe must reach the function: no cache for it.
        cacheable = route.method == "GET" and not route.signed_in and route.path != HEALTH_PATH
        entry.advice = _advice(entry, public_get=cacheable)
        priced.append(entry)
    return priced


def price_events(bench: Bench, prices: Prices = PRICES) -> list[Priced]:
    priced = []
    for path in EVENT_PATHS:
        consumption = Consumption()
        for part in path.parts:
            consumption.add(bench.row(part.row), part.per_unit)
        consumption.sqs_messages += path.rule_deliveries
        entry = Priced(path.name, consumption, consumption.by_service(prices, api_requests=0))
        entry.advice = _advice(entry, public_get=False)
        priced.append(entry)
    return priced


def _advice(entry: Priced, *, public_get: bool) -> str:
    """What would cut the row's largest cost."""
    used = entry.consumption
    largest = entry.largest
    if largest == "api":
        return "a CloudFront cache (a public GET)" if public_get else "fewer requests (each is billed)"
    if largest == "lambda":
        slowest = max(used.lambdas, key=lambda use: use.usd(PRICES))
        duration_usd = (
            slowest.usd(PRICES) - slowest.invocations * PRICES.lambda_per_million_requests / MILLION
        )
        if duration_usd < slowest.invocations * PRICES.lambda_per_million_requests / MILLION:
            return f"more records per invocation ({slowest.function})"
        return f"less CPU in {slowest.function} ({slowest.billed_ms} ms at {slowest.memory_mb} MB)"
    if largest == "dynamodb":
        if (
            used.write_units * PRICES.dynamodb_per_million_write_units
            >= used.read_units * PRICES.dynamodb_per_million_read_units
        ):
            return f"fewer or smaller writes ({used.write_units:.1f} WRU)"
        return f"fewer or smaller reads ({used.read_units:.1f} RRU)"
    return {
        "ses": f"fewer e-mails ({used.emails:g} an event)",
        "s3": "one object per batch, not per record",
        "sqs": "fewer messages (several items each)",
        "eventbridge": "fewer events",
        "secretsmanager": "cache the secret longer",
    }[largest]


def table(routes: Sequence[Priced], events: Sequence[Priced], prices: Prices = PRICES) -> str:
    cloudfront = prices.cloudfront_per_10k_https_requests * MILLION / 10_000
    lines = [
        f"Cost of a million requests, by route ({prices.source}, {prices.date}; HTTP API, and the same "
        f"on a REST API; Lambda arm64 at the function's memory; a caller through CloudFront adds "
        f"${cloudfront:.2f})",
        f"{'route':<44} {'$/M HTTP':>8} {'$/M REST':>8} {'+CF':>5} {'Lambda ms@MB':>12} {'RRU':>5} "
        f"{'WRU':>5}  {'largest: what would cut it':<58} target <= ${READ_BY_KEY_TARGET_USD:.2f}",
    ]
    for entry in routes:
        lines.append(
            f"{entry.name:<44} {entry.total:>8.2f} {entry.rest_api or 0:>8.2f} {entry.cloudfront or 0:>5.2f} "
            f"{_lambda_column(entry):>12} {entry.consumption.read_units:>5.1f} "
            f"{entry.consumption.write_units:>5.1f}  {_largest_column(entry):<58} {_verdict(entry)}".rstrip()
        )
    lines += [
        "",
        "Cost of a million events, by asynchronous path (the same prices; SQS, EventBridge, SES by entry)",
        f"{'path':<52} {'$/M':>8} {'Lambda ms@MB':>14} {'RRU':>5} {'WRU':>5}  largest: what would cut it",
    ]
    for entry in events:
        used = entry.consumption
        lines.append(
            f"{entry.name:<52} {entry.total:>8.2f} {_lambda_column(entry):>14} "
            f"{used.read_units:>5.1f} {used.write_units:>5.1f}  {_largest_column(entry)}"
        )
    return "\n".join(lines)


def _lambda_column(entry: Priced) -> str:
    return "+".join(f"{use.billed_ms}@{use.memory_mb}" for use in entry.consumption.lambdas)


def _largest_column(entry: Priced) -> str:
    return f"{entry.largest} {entry.by_service[entry.largest]:.2f}: {entry.advice}"


def _verdict(entry: Priced) -> str:
    if entry.target_met is None:
        return ""
    return "ok" if entry.target_met else "OVER"


def write_json(
    path: Path, routes: Sequence[Priced], events: Sequence[Priced], prices: Prices = PRICES
) -> None:
    document = {
        "prices": prices.as_json(),
        "routes": {entry.name: entry.as_json() for entry in routes},
        "events": {entry.name: entry.as_json() for entry in events},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
