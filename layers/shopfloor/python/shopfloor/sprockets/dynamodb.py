"""Sprockets in DynamoDB, through pynamodb: one item each, every write conditional on (non-)existence."""

from __future__ import annotations

from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from shopfloor.platform.idempotency import Created, IdempotentRequest
from shopfloor.platform.idempotency_records import IdempotencyRecords
from shopfloor.platform.pagination import Page, decode_cursor, id_key, page_of
from shopfloor.platform.tables import is_conditional_check_failure, transact
from shopfloor.sprockets.models import SprocketModel
from shopfloor.sprockets.schemas import Sprocket


class DynamoSprocketRepository:
    def __init__(
        self, model: type[SprocketModel], records: IdempotencyRecords, connection: Connection
    ) -> None:
        self._model = model
        self._records = records
        self._connection = connection

    def add(self, sprocket: Sprocket, idempotency: IdempotentRequest | None) -> Created[Sprocket]:
        item = self._to_item(sprocket)
        new_item = self._model.id.does_not_exist()
        if idempotency is None:
            item.save(condition=new_item)
            return Created(sprocket)

        def fill(transaction: TransactWrite) -> None:
            transaction.save(item, condition=new_item)
            self._records.add_to(transaction, idempotency, sprocket.id, sprocket.model_dump_json())

        try:
            transact(self._connection, fill)
        except TransactWriteError as error:
            recorded = self._records.taken(error, idempotency)
            if recorded is None or recorded.body is None:
                raise
            return Created(Sprocket.model_validate_json(recorded.body), replayed=True)
        return Created(sprocket)

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
