"""Factories logic, over the repository interface."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Protocol

from shopfloor.factories.points import Points
from shopfloor.factories.schemas import MAX_POINTS, MAX_TIME, FactoryIn
from shopfloor.platform.idempotency import Created, IdempotentRequest, idempotent_request
from shopfloor.platform.pagination import InvalidCursorError, Page, decode_cursor, encode_cursor

FACTORIES: Final = "factories"
ROUTE: Final = "POST /v1/factories"
# A page of factories holds at most as many points as the largest factory: it stays well inside
# Lambda's 6 MB response, like one factory's whole chart.
MAX_PAGE_POINTS: Final = MAX_POINTS


@dataclass(frozen=True)
class Factory:
    id: int
    points: Points

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "chart_data": self.points.as_chart_data()}


@dataclass(frozen=True)
class FactorySummary:
    """A factory without its chart: how many points it holds, and the times of the first and last."""

    id: int
    points: int
    first_time: int
    last_time: int

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "points": self.points, "from": self.first_time, "to": self.last_time}


class FactoryRepository(Protocol):
    def add(self, factory_id: int, points: Points, idempotency: IdempotentRequest | None) -> int | None:
        """Store a factory and its chart, with its key's record in the same transaction; when the key
        was recorded first (by a concurrent request), store nothing and answer that factory's id."""
        ...

    def recorded(self, idempotency: IdempotentRequest) -> int | None:
        """The id of the factory the key created, if any."""
        ...

    def get(self, factory_id: int) -> FactorySummary | None: ...

    def points(self, factory_id: int, start: int | None, end: int | None, limit: int) -> Points:
        """At most `limit` points of the chart with start <= time <= end, oldest first."""
        ...

    def summaries(self, limit: int, cursor: str | None) -> list[FactorySummary]:
        """Up to `limit` factories in id order, from after the cursor's (one Query of an index)."""
        ...

    def cursor_after(self, factory_id: int) -> str: ...


@dataclass(frozen=True)
class ChartPage:
    """A factory with some of its chart's points, and where the next page of points starts."""

    factory: Factory
    next_cursor: str | None


class FactoryService:
    def __init__(self, repository: FactoryRepository, next_id: Callable[[], int]) -> None:
        self._repository = repository
        self._next_id = next_id

    def create(self, data: FactoryIn, idempotency_key: str | None = None) -> Created[Factory]:
        """A new factory. Its chart is written before the transaction that makes it visible, so with a
        key the record is read first (one read): a replay, as every reload of the seeds is, must
        not write the chart again. Keys are kept as long as the factories (no TTL)."""
        idempotency = idempotent_request(ROUTE, idempotency_key, data, ttl=None)
        if idempotency is not None:
            recorded = self._repository.recorded(idempotency)
            if recorded is not None:
                return self._replay(recorded)
        points = data.chart_data.points()
        factory = Factory(self._next_id(), points)
        first = self._repository.add(factory.id, points, idempotency)
        return Created(factory) if first is None else self._replay(first)

    def chart(
        self,
        factory_id: int,
        start: int | None = None,
        end: int | None = None,
        limit: int = MAX_POINTS,
        cursor: str | None = None,
    ) -> ChartPage | None:
        """The factory with up to `limit` points of its chart in [start, end], from the cursor on;
        None when there is no such factory."""
        if cursor is not None:
            resume = decode_cursor(cursor, ["factory_id", "time"])
            if resume["factory_id"]["N"] != str(factory_id) or not 0 <= int(resume["time"]["N"]) <= MAX_TIME:
                raise InvalidCursorError(cursor)  # another factory's, or not one we handed out
            after = int(resume["time"]["N"]) + 1
            start = after if start is None else max(start, after)
        if self._repository.get(factory_id) is None:
            return None
        points = self._repository.points(factory_id, start, end, limit + 1)
        factory = Factory(factory_id, points.slice(0, limit))
        if len(points) <= limit:
            return ChartPage(factory, None)
        key = {"factory_id": {"N": str(factory_id)}, "time": {"N": str(points.time[limit - 1])}}
        return ChartPage(factory, encode_cursor(key))

    def list(self, limit: int, cursor: str | None) -> Page[Factory]:
        """Up to `limit` factories with their whole charts, and at most MAX_PAGE_POINTS points
        between them (but always at least one factory, while any remain)."""
        found = self._repository.summaries(limit + 1, cursor)
        page: list[FactorySummary] = []
        points = 0
        for summary in found[:limit]:
            if page and points + summary.points > MAX_PAGE_POINTS:
                break
            page.append(summary)
            points += summary.points
        factories = [
            Factory(summary.id, self._repository.points(summary.id, None, None, summary.points))
            for summary in page
        ]
        more = len(found) > len(page)
        return Page(factories, self._repository.cursor_after(page[-1].id) if more else None)

    def summaries(self, limit: int, cursor: str | None) -> Page[FactorySummary]:
        """Up to `limit` factories without their charts: one read, however large the charts."""
        found = self._repository.summaries(limit + 1, cursor)
        more = len(found) > limit
        return Page(found[:limit], self._repository.cursor_after(found[limit - 1].id) if more else None)

    def _replay(self, factory_id: int) -> Created[Factory]:
        page = self.chart(factory_id)
        if page is None:  # a key's record is written with its factory: never the one without the other
            raise LookupError(f"factory {factory_id} of a recorded Idempotency-Key is missing")
        return Created(page.factory, replayed=True)
