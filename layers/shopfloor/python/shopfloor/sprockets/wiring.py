"""The sprockets context's composition root: what its function needs, built once per container.

Imports of pynamodb, botocore and the table models are deferred into the builders: the docs
function imports the routes only to describe them and must not load them. The handler calls its
builder during its init phase, so the first request does not pay for it.
"""

from __future__ import annotations

from functools import cache

from shopfloor.sprockets.service import SPROCKETS, SprocketService


@cache
def sprocket_service() -> SprocketService:
    from shopfloor.platform.idempotency_records import IdempotencyRecordModel, IdempotencyRecords
    from shopfloor.platform.ids import IdAllocator, SequenceModel
    from shopfloor.platform.tables import bind, shared_connection
    from shopfloor.sprockets.dynamodb import DynamoSprocketRepository
    from shopfloor.sprockets.models import SprocketModel
    from shopfloor.sprockets.settings import SprocketsSettings

    settings = SprocketsSettings.from_environ()
    ids = IdAllocator(bind(SequenceModel, settings.ids_table_name), SPROCKETS, settings.id_block_size)
    repository = DynamoSprocketRepository(
        bind(SprocketModel, settings.sprockets_table_name),
        IdempotencyRecords(bind(IdempotencyRecordModel, settings.idempotency_table_name)),
        shared_connection(),
    )
    return SprocketService(repository, ids.next_id)
