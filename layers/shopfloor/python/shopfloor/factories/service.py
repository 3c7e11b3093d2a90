"""Factories and sprockets logic, over the repository interfaces."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from shopfloor.factories.idempotency import (
    Created,
    KeyTakenError,
    RequestKey,
    RequestKeys,
    fingerprint,
    recorded_for,
)
from shopfloor.factories.points import Points, pack
from shopfloor.factories.repository import FactoryRepository, FactorySummary, SprocketRepository
from shopfloor.factories.schemas import MAX_POINTS, MAX_TIME, FactoryIn, Sprocket, SprocketIn
from shopfloor.platform.pagination import InvalidCursorError, Page, decode_cursor, encode_cursor

FACTORIES: Final = "factories"
SPROCKETS: Final = "sprockets"
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
class ChartPage:
    """A factory with some of its chart's points, and where the next page of points starts."""

    factory: Factory
    next_cursor: str | None


class FactoryService:
    def __init__(self, repository: FactoryRepository, next_id: Callable[[], int], keys: RequestKeys) -> None:
        self._repository = repository
        self._next_id = next_id
        self._keys = keys

    def create(self, data: FactoryIn, idempotency_key: str | None = None) -> Created[Factory]:
        points = data.chart_data.points()
        request = None
        if idempotency_key is not None:
            digest = fingerprint(pack(points.time), pack(points.actual), pack(points.goal))
            request = RequestKey(FACTORIES, idempotency_key, digest)
            replayed = self._replay(request)
            if replayed is not None:
                return replayed
        factory = Factory(self._next_id(), points)
        try:
            self._repository.add(factory.id, points, request)
        except KeyTakenError:
            assert request is not None
            replayed = self._replay(request)
            if replayed is None:
                raise
            return replayed
        return Created(factory, replayed=False)

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

    def _replay(self, request: RequestKey) -> Created[Factory] | None:
        recorded = recorded_for(self._keys, request)
        if recorded is None:
            return None
        page = self.chart(recorded.resource_id)
        if page is None:
            return None
        return Created(page.factory, replayed=True)


class SprocketService:
    def __init__(self, repository: SprocketRepository, next_id: Callable[[], int], keys: RequestKeys) -> None:
        self._repository = repository
        self._next_id = next_id
        self._keys = keys

    def create(self, data: SprocketIn, idempotency_key: str | None = None) -> Created[Sprocket]:
        request = None
        if idempotency_key is not None:
            sent = json.dumps(data.model_dump(), sort_keys=True).encode()
            request = RequestKey(SPROCKETS, idempotency_key, fingerprint(sent))
            replayed = self._replay(request)
            if replayed is not None:
                return replayed
        sprocket = Sprocket(id=self._next_id(), **data.model_dump())
        try:
            self._repository.add(sprocket, request)
        except KeyTakenError:
            assert request is not None
            replayed = self._replay(request)
            if replayed is None:
                raise
            return replayed
        return Created(sprocket, replayed=False)

    def get(self, sprocket_id: int) -> Sprocket | None:
        return self._repository.get(sprocket_id)

    def list(self, limit: int, cursor: str | None) -> Page[Sprocket]:
        return self._repository.list(limit, cursor)

    def replace(self, sprocket_id: int, data: SprocketIn) -> Sprocket | None:
        sprocket = Sprocket(id=sprocket_id, **data.model_dump())
        return sprocket if self._repository.replace(sprocket) else None

    def _replay(self, request: RequestKey) -> Created[Sprocket] | None:
        """The first response: the sprocket as it was created, whatever PUTs did to it since."""
        recorded = recorded_for(self._keys, request)
        if recorded is None or recorded.response is None:
            return None
        return Created(Sprocket.model_validate_json(recorded.response), replayed=True)
