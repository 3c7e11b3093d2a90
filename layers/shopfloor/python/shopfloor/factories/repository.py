"""Where factories and sprockets live: the interfaces the services depend on. DynamoDB's are in
factories/dynamodb.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from shopfloor.factories.idempotency import RequestKey
from shopfloor.factories.points import Points
from shopfloor.factories.schemas import Sprocket
from shopfloor.platform.pagination import Page


@dataclass(frozen=True)
class FactorySummary:
    id: int
    points: int


class FactoryRepository(Protocol):
    def add(self, factory_id: int, points: Points, request: RequestKey | None) -> None:
        """Store a factory and its chart; with `request`, also its key, or nothing and raise
        KeyTakenError when a concurrent request with that key created first."""

    def get(self, factory_id: int) -> FactorySummary | None: ...

    def points(self, factory_id: int, start: int | None, end: int | None, limit: int) -> Points:
        """At most `limit` points of the chart with start <= time <= end, oldest first."""

    def summaries(self, limit: int, cursor: str | None) -> list[FactorySummary]:
        """Up to `limit` factories in the table's order, from after the cursor's."""

    def cursor_after(self, factory_id: int) -> str: ...


class SprocketRepository(Protocol):
    def add(self, sprocket: Sprocket, request: RequestKey | None) -> None:
        """Store a sprocket; with `request`, also its key, or nothing and raise KeyTakenError."""

    def get(self, sprocket_id: int) -> Sprocket | None: ...

    def list(self, limit: int, cursor: str | None) -> Page[Sprocket]: ...

    def replace(self, sprocket: Sprocket) -> bool: ...
