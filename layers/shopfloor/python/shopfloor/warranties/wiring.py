"""The warranties context's composition root: what its functions need, built once per container.

Imports of pynamodb, botocore and the table models are deferred into the builders: the docs
function imports the routes only to describe them and must not load them. Each handler calls its
builder during its init phase, so the first request does not pay for it.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import TYPE_CHECKING

from shopfloor.warranties.service import WarrantyService

if TYPE_CHECKING:
    from shopfloor.warranties.archiver import Archiver

WARRANTY_SEQUENCE = "warranties"


@cache
def warranty_service() -> WarrantyService:
    from shopfloor.platform.idempotency_records import IdempotencyRecordModel, IdempotencyRecords
    from shopfloor.platform.ids import IdAllocator, SequenceModel
    from shopfloor.platform.tables import bind, shared_connection
    from shopfloor.warranties.dynamodb import DynamoWarrantyRepository
    from shopfloor.warranties.models import ItemModel, StoreModel, WarrantyModel
    from shopfloor.warranties.settings import WarrantiesSettings

    settings = WarrantiesSettings.from_environ()
    ids = IdAllocator(bind(SequenceModel, settings.ids_table_name), WARRANTY_SEQUENCE, settings.id_block_size)
    repository = DynamoWarrantyRepository(
        bind(WarrantyModel, settings.warranties_table_name),
        bind(StoreModel, settings.stores_table_name),
        bind(ItemModel, settings.items_table_name),
        IdempotencyRecords(bind(IdempotencyRecordModel, settings.idempotency_table_name)),
        shared_connection(),
    )
    return WarrantyService(
        repository, ids.next_id, idempotency_ttl=timedelta(seconds=settings.idempotency_ttl_seconds)
    )


@cache
def archiver() -> Archiver:
    from shopfloor.platform import aws
    from shopfloor.warranties.archiver import Archiver
    from shopfloor.warranties.settings import ArchiverSettings

    settings = ArchiverSettings.from_environ()
    return Archiver(aws.client("s3"), settings.bucket_name)
