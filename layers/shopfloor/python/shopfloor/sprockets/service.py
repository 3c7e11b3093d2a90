"""Sprockets logic, over the repository interface."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, Protocol

from shopfloor.platform.idempotency import Created, IdempotentRequest, idempotent_request
from shopfloor.platform.pagination import Page
from shopfloor.sprockets.schemas import Sprocket, SprocketIn

SPROCKETS: Final = "sprockets"
ROUTE: Final = "POST /v1/sprockets"


class SprocketRepository(Protocol):
    def add(self, sprocket: Sprocket, idempotency: IdempotentRequest | None) -> Created[Sprocket]:
        """Store a sprocket, with its key's record in the same transaction; when the key was
        recorded first, store nothing and answer the sprocket that request created."""
        ...

    def get(self, sprocket_id: int) -> Sprocket | None: ...

    def list(self, limit: int, cursor: str | None) -> Page[Sprocket]: ...

    def replace(self, sprocket: Sprocket) -> bool: ...


class SprocketService:
    def __init__(self, repository: SprocketRepository, next_id: Callable[[], int]) -> None:
        self._repository = repository
        self._next_id = next_id

    def create(self, data: SprocketIn, idempotency_key: str | None = None) -> Created[Sprocket]:
        """A new sprocket. The seed loader reloads with the same keys: they are kept as long as the
        sprockets (no TTL), and a replay answers the sprocket as first created, whatever PUTs did."""
        idempotency = idempotent_request(ROUTE, idempotency_key, data, ttl=None)
        return self._repository.add(Sprocket(id=self._next_id(), **data.model_dump()), idempotency)

    def get(self, sprocket_id: int) -> Sprocket | None:
        return self._repository.get(sprocket_id)

    def list(self, limit: int, cursor: str | None) -> Page[Sprocket]:
        return self._repository.list(limit, cursor)

    def replace(self, sprocket_id: int, data: SprocketIn) -> Sprocket | None:
        sprocket = Sprocket(id=sprocket_id, **data.model_dump())
        return sprocket if self._repository.replace(sprocket) else None
