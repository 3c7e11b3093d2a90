"""The factories context's composition root: what its function needs, built once per container.

Imports of pynamodb, botocore and the table models are deferred into the builders: the docs
function imports the routes only to describe them and must not load them. The handler calls its
builder during its init phase, so the first request does not pay for it.
"""

from __future__ import annotations

from functools import cache

from shopfloor.factories.service import FACTORIES, FactoryService


@cache
def factory_service() -> FactoryService:
    from shopfloor.factories.dynamodb import DynamoFactoryRepository
    from shopfloor.factories.models import ChartChunkModel, FactoryModel
    from shopfloor.factories.settings import FactoriesSettings
    from shopfloor.platform.idempotency_records import IdempotencyRecordModel, IdempotencyRecords
    from shopfloor.platform.ids import IdAllocator, SequenceModel
    from shopfloor.platform.tables import bind, shared_connection

    settings = FactoriesSettings.from_environ()
    ids = IdAllocator(bind(SequenceModel, settings.ids_table_name), FACTORIES, settings.id_block_size)
    repository = DynamoFactoryRepository(
        bind(FactoryModel, settings.factories_table_name),
        bind(ChartChunkModel, settings.factory_points_table_name),
        IdempotencyRecords(bind(IdempotencyRecordModel, settings.idempotency_table_name)),
        shared_connection(),
    )
    return FactoryService(repository, ids.next_id)
