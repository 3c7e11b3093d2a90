"""Factories, their chart chunks, sprockets and Idempotency-Keys in DynamoDB, through pynamodb."""

from __future__ import annotations

from collections.abc import Iterator
from math import ceil

from aws_lambda_powertools import Logger
from pynamodb.exceptions import PutError, PynamoDBException, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from shopfloor.factories.idempotency import KeyTakenError, Recorded, RequestKey
from shopfloor.factories.models import ChartChunkModel, FactoryModel, RequestKeyModel, SprocketModel
from shopfloor.factories.points import POINTS_PER_CHUNK, Points, concatenate, pack, unpack
from shopfloor.factories.repository import FactorySummary
from shopfloor.factories.schemas import Sprocket
from shopfloor.platform.clock import iso, utc_now
from shopfloor.platform.pagination import Page, decode_cursor, encode_cursor, id_key, page_of
from shopfloor.platform.tables import is_conditional_check_failure, shared_connection

logger = Logger(child=True)

CONDITIONAL_CHECK_FAILED = "ConditionalCheckFailed"


class DynamoRequestKeys:
    def __init__(self, model: type[RequestKeyModel]) -> None:
        self.model = model

    def find(self, request: RequestKey) -> Recorded | None:
        try:
            item = self.model.get(request.record_key, consistent_read=True)
        except self.model.DoesNotExist:
            return None
        return Recorded(int(item.resource_id), item.fingerprint, item.response)

    def record(self, request: RequestKey, resource_id: int, response: str | None = None) -> RequestKeyModel:
        return self.model(
            request.record_key,
            resource_id=resource_id,
            fingerprint=request.fingerprint,
            response=response,
            created_at=iso(utc_now()),
        )


def _save_with_key(
    keys: DynamoRequestKeys, item: Model, new_item: Condition, request: RequestKey, record: RequestKeyModel
) -> None:
    """The item and its key's record in one transaction, each only if new: KeyTakenError when the
    key was recorded first (by a concurrent request)."""
    try:
        with TransactWrite(connection=shared_connection()) as transaction:
            transaction.save(item, condition=new_item)
            transaction.save(record, condition=keys.model.key.does_not_exist())
    except TransactWriteError as error:
        reasons = error.cancellation_reasons or []
        if len(reasons) > 1 and reasons[1] is not None and reasons[1].code == CONDITIONAL_CHECK_FAILED:
            raise KeyTakenError(request.key) from error
        raise


class DynamoFactoryRepository:
    """A factory is one small item; its chart, chunks of POINTS_PER_CHUNK points in another table,
    written first: a factory whose item is not written yet (or never, after a failure) is not seen,
    and its id is never handed out again."""

    def __init__(
        self, factories: type[FactoryModel], chunks: type[ChartChunkModel], keys: DynamoRequestKeys
    ) -> None:
        self._factories = factories
        self._chunks = chunks
        self._keys = keys

    def add(self, factory_id: int, points: Points, request: RequestKey | None) -> None:
        with self._chunks.batch_write() as batch:
            for chunk in points.chunks():
                batch.save(self._chunk_item(factory_id, chunk))
        factory = self._factories(
            factory_id, points=len(points), first_time=points.time[0], last_time=points.time[-1]
        )
        if request is None:
            factory.save(condition=self._factories.id.does_not_exist())
            return
        try:
            record = self._keys.record(request, factory_id)
            _save_with_key(self._keys, factory, self._factories.id.does_not_exist(), request, record)
        except KeyTakenError:
            self._discard_chunks(factory_id, points)
            raise

    def get(self, factory_id: int) -> FactorySummary | None:
        try:
            item = self._factories.get(factory_id)
        except self._factories.DoesNotExist:
            return None
        return FactorySummary(id=int(item.id), points=int(item.points))

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
        start = decode_cursor(cursor, ["id"]) if cursor else None
        results = self._factories.scan(
            limit=limit, page_size=limit, last_evaluated_key=start, attributes_to_get=["id", "points"]
        )
        return [FactorySummary(id=int(item.id), points=int(item.points)) for item in results]

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


def _to_points(item: ChartChunkModel) -> Points:
    return Points(time=unpack(item.time), actual=unpack(item.actual), goal=unpack(item.goal))


class DynamoSprocketRepository:
    """A sprocket is one item; every write is conditional on (non-)existence."""

    def __init__(self, model: type[SprocketModel], keys: DynamoRequestKeys) -> None:
        self._model = model
        self._keys = keys

    def add(self, sprocket: Sprocket, request: RequestKey | None) -> None:
        item = self._to_item(sprocket)
        if request is None:
            item.save(condition=self._model.id.does_not_exist())
            return
        record = self._keys.record(request, sprocket.id, response=sprocket.model_dump_json())
        _save_with_key(self._keys, item, self._model.id.does_not_exist(), request, record)

    def get(self, sprocket_id: int) -> Sprocket | None:
        try:
            return _to_sprocket(self._model.get(sprocket_id))
        except self._model.DoesNotExist:
            return None

    def list(self, limit: int, cursor: str | None) -> Page[Sprocket]:
        start = decode_cursor(cursor, ["id"]) if cursor else None
        results = self._model.scan(limit=limit + 1, page_size=limit + 1, last_evaluated_key=start)
        return page_of([_to_sprocket(item) for item in results], limit, id_key)

    def replace(self, sprocket: Sprocket) -> bool:
        try:
            self._to_item(sprocket).save(condition=self._model.id.exists())
        except PutError as error:
            if is_conditional_check_failure(error):
                return False
            raise
        return True

    def _to_item(self, sprocket: Sprocket) -> SprocketModel:
        return self._model(sprocket.id, **sprocket.model_dump(exclude={"id"}))


def _to_sprocket(item: SprocketModel) -> Sprocket:
    return Sprocket(
        id=int(item.id),
        teeth=int(item.teeth),
        pitch_diameter=item.pitch_diameter,
        outside_diameter=item.outside_diameter,
        pitch=item.pitch,
    )
