"""Reading the business metrics a function emits through Powertools Metrics.

A handler wrapped in `metrics.log_metrics` prints one CloudWatch EMF document (JSON) per invocation
on stdout, where CloudWatch Logs turns it into metrics; `emitted` reads them back from what a test
captured. Code called without a handler leaves its metrics in the shared set: `pending` reads them.
"""

from __future__ import annotations

import json
from typing import Any

from shopfloor.platform.observability import metrics


def emitted(printed: str) -> dict[str, list[float]]:
    """Every value of every metric in the EMF documents among the printed lines, by metric name."""
    values: dict[str, list[float]] = {}
    for line in printed.splitlines():
        try:
            document = json.loads(line)
        except ValueError:
            continue
        if isinstance(document, dict) and "_aws" in document:
            _collect(document, values)
    return values


def pending() -> dict[str, list[float]]:
    """The metrics added since the last flush, by name; they stay in the set."""
    if not metrics.metric_set:
        return {}
    values: dict[str, list[float]] = {}
    _collect(dict(metrics.serialize_metric_set()), values)
    return values


def forget() -> None:
    """Drop the metrics added and not flushed (what an earlier test left behind)."""
    metrics.clear_metrics()


def _collect(document: dict[str, Any], values: dict[str, list[float]]) -> None:
    for directive in document["_aws"]["CloudWatchMetrics"]:
        assert directive["Namespace"] == "Shopfloor"
        for definition in directive["Metrics"]:
            value = document[definition["Name"]]
            values.setdefault(definition["Name"], []).extend(value if isinstance(value, list) else [value])
