"""Factories and their chart chunks in DynamoDB, through pynamodb."""

from __future__ import annotations

from collections.abc import Iterator
from math import ceil

from aws_lambda_powertools import Logger
from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from shopfloor.factories.models import LISTING, ChartChunkModel, FactoryModel
from shopfloor.factories.points import POINTS_PER_CHUNK, Points, concatenate, pack, unpack
from shopfloor.factories.service import FactorySummary
from shopfloor.platform.idempotency import IdempotentRequest
from shopfloor.platform.idempotency_records import IdempotencyRecords
from shopfloor.platform.pagination import InvalidCursorError, decode_cursor, encode_cursor
from shopfloor.platform.tables import transact

logger = Logger(child=True)


class DynamoFactoryRepository:
    """A factory is one small item; its chart, chunks of POINTS_PER_CHUNK points in another table,
    written first: a factory whose item is not written yet (or never, after a failure) is not seen,
    and its id is never handed out again."""

    def __init__(
        self,
        factories: type[FactoryModel],
        chunks: type[ChartChunkModel],
        records: IdempotencyRecords,
        connection: Connection,
    ) -> None:
        self._factories = factories
        self._chunks = chunks
        self._records = records
        self._connection = connection

    def add(self, factory_id: int, points: Points, idempotency: IdempotentRequest | None) -> int | None:
        with self._chunks.batch_write() as batch:
            for chunk in points.chunks():
                batch.save(self._chunk_item(factory_id, chunk))
        factory = self._factories(
            factory_id, points=len(points), first_time=points.time[0], last_time=points.time[-1]
        )
        new_factory = self._factories.id.does_not_exist()
        if idempotency is None:
            factory.save(condition=new_factory)
            return None

        def fill(transaction: TransactWrite) -> None:
            transaction.save(factory, condition=new_factory)
            self._records.add_to(transaction, idempotency, factory_id, body=None)

        try:
            transact(self._connection, fill)
        except TransactWriteError as error:
            recorded = self._records.taken(error, idempotency)
            if recorded is None:
                raise
            self._discard_chunks(factory_id, points)
            return recorded.resource_id
        return None

    def recorded(self, idempotency: IdempotentRequest) -> int | None:
        recorded = self._records.find(idempotency)
        return None if recorded is None else recorded.resource_id

    def get(self, factory_id: int) -> FactorySummary | None:
        try:
            item = self._factories.get(factory_id)
        except self._factories.DoesNotExist:
            return None
        return _summary(item)

    def points(self, factory_id: int, start: int | None, end: int | None, limit: int) -> Points:
        parts: list[Points] = []
        count = 0
        for item in self._chunks_overlapping(factory_id, start, end, limit):
            part = _to_points(item).between(start, end)
            parts.append(part.slice(0, limit - count))
            count += len(parts[-1])
            if count >= limit:
                break
        return concatenate(parts) if parts else Points([], [], [])

    def summaries(self, limit: int, cursor: str | None) -> list[FactorySummary]:
        start = None
        if cursor:
            key = decode_cursor(cursor, ["id"])
            if "N" not in key["id"]:
                raise InvalidCursorError(cursor)
            start = {**key, "listing": {"S": LISTING}}
        results = self._factories.by_id.query(LISTING, limit=limit, page_size=limit, last_evaluated_key=start)
        return [_summary(item) for item in results]

    def cursor_after(self, factory_id: int) -> str:
        return encode_cursor({"id": {"N": str(factory_id)}})

    def _chunks_overlapping(
        self, factory_id: int, start: int | None, end: int | None, limit: int
    ) -> Iterator[ChartChunkModel]:
        """The chunks that may hold points in [start, end], oldest first: the one that begins at
        or before `start` (it may reach past it), then those that begin after it, up to `end`."""
        chunk_start = self._chunks.start
        condition: Condition | None = None
        if start is not None:
            before = self._chunks.query(factory_id, chunk_start <= start, scan_index_forward=False, limit=1)
            for item in before:
                if int(item.end) >= start:
                    yield item
            if end is not None and end <= start:
                return
            condition = chunk_start > start if end is None else chunk_start.between(start + 1, end)
        elif end is not None:
            condition = chunk_start <= end
        # Enough chunks for `limit` points per request, plus a partial one at either end.
        page_size = min(ceil(limit / POINTS_PER_CHUNK) + 2, 100)
        yield from self._chunks.query(factory_id, condition, page_size=page_size)

    def _chunk_item(self, factory_id: int, chunk: Points) -> ChartChunkModel:
        return self._chunks(
            factory_id,
            chunk.time[0],
            end=chunk.time[-1],
            time=pack(chunk.time),
            actual=pack(chunk.actual),
            goal=pack(chunk.goal),
        )

    def _discard_chunks(self, factory_id: int, points: Points) -> None:
        """Best effort: the chunks of a factory that was never stored are invisible garbage anyway."""
        try:
            with self._chunks.batch_write() as batch:
                for chunk in points.chunks():
                    batch.delete(self._chunks(factory_id, chunk.time[0]))
        except PynamoDBException as error:
            logger.warning("Could not discard the chunks of an unstored factory", extra={"error": str(error)})


def _summary(item: FactoryModel) -> FactorySummary:
    return FactorySummary(
        id=int(item.id),
        points=int(item.points),
        first_time=int(item.first_time),
        last_time=int(item.last_time),
    )


def _to_points(item: ChartChunkModel) -> Points:
    return Points(time=unpack(item.time), actual=unpack(item.actual), goal=unpack(item.goal))
