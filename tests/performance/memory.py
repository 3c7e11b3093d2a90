"""Each function's memory setting beside what it was measured to need: the peak resident memory of
a fresh interpreter serving its representative event (cold_start.footprint), and the warm duration
of its calls in the calls benchmark's scenarios, at the setting (cost.ms_at_memory).

The rule the settings of infra/topology.py follow, which the table checks: the smallest of
MEMORY_STEPS that holds HEADROOM times the peak resident memory and keeps the function's slowest
scenario (median of its calls) within its budget at that memory.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from infra.topology import FUNCTIONS, Function
from tests.performance.calls import Bench, Invocation, Row
from tests.performance.cold_start import Footprint
from tests.performance.cost import ms_at_memory

MEMORY_STEPS = (256, 512, 1024, 1769)
HEADROOM = 2.0
# A warm request's budget (an API answer someone waits for); an event batch's is a tenth of the
# function's timeout, far from being cut off.
API_BUDGET_MS = 100.0
EVENT_BUDGET_SHARE_OF_TIMEOUT = 0.1


@dataclass(frozen=True)
class Need:
    function: Function
    footprint: Footprint
    invocations: tuple[Invocation, ...]
    slowest: Row

    @property
    def budget_ms(self) -> float:
        if self.function.routes:
            return API_BUDGET_MS
        return self.function.timeout_seconds * 1000 * EVENT_BUDGET_SHARE_OF_TIMEOUT

    def slowest_ms_at(self, memory_mb: int) -> float:
        return statistics.median(
            ms_at_memory(call.wall_ms, call.cpu_ms, memory_mb) for call in self.slowest.invocations
        )

    def suggested_mb(self) -> int:
        for memory in MEMORY_STEPS:
            if (
                memory >= HEADROOM * self.footprint.peak_rss_mb
                and self.slowest_ms_at(memory) <= self.budget_ms
            ):
                return memory
        return MEMORY_STEPS[-1]


def needs(bench: Bench, footprints: Mapping[str, Footprint]) -> list[Need]:
    found = []
    for function in FUNCTIONS:
        rows = [row for row in bench.rows if row.invocations and row.function == function.name]
        slowest = max(rows, key=lambda row: statistics.median(call.cpu_ms for call in row.invocations))
        calls = tuple(call for row in rows for call in row.invocations)
        found.append(Need(function, footprints[function.name], calls, slowest))
    return found


def table(found: Sequence[Need]) -> str:
    lines = [
        "Memory: peak RSS of a fresh interpreter serving the function's first event; warm ms of its calls "
        "above (median, CPU ms of it);",
        f"its most CPU-heavy scenario at the setting (CPU x {MEMORY_STEPS[-1]}/MB). Rule: the smallest of "
        f"{'/'.join(map(str, MEMORY_STEPS))} MB >= {HEADROOM:g} x RSS with that scenario within "
        f"{API_BUDGET_MS:.0f} ms (an API) or {EVENT_BUDGET_SHARE_OF_TIMEOUT:.0%} of the timeout (a batch)",
        f"{'function':<18} {'RSS MB':>7} {'memory MB':>9} {'warm ms':>8} {'cpu ms':>7}  "
        f"{'heaviest scenario':<48} {'ms@MB':>7}  {'rule':<8} metrics' service",
    ]
    for need in found:
        memory = need.function.memory_mb
        suggested = need.suggested_mb()
        rule = "ok" if suggested == memory else f"-> {suggested}"
        services = ", ".join(sorted(need.footprint.metric_services)) or "-"
        service_verdict = "" if need.footprint.metric_services <= {need.function.name} else " WRONG"
        lines.append(
            f"{need.function.name:<18} {need.footprint.peak_rss_mb:>7.1f} {memory:>9} "
            f"{statistics.median(c.wall_ms for c in need.invocations):>8.1f} "
            f"{statistics.median(c.cpu_ms for c in need.invocations):>7.1f}  {need.slowest.label[:48]:<48} "
            f"{need.slowest_ms_at(memory):>7.1f}  {rule:<8} {services}{service_verdict}"
        )
    return "\n".join(lines)
