"""The warranties function's objects, built once per container from its settings."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from shopfloor.warranties.idempotency import IdempotentCreate
from shopfloor.warranties.service import WarrantyService

WARRANTY_SEQUENCE = "warranties"


@dataclass(frozen=True)
class Warranties:
    service: WarrantyService
    # The service's `create` for requests with an Idempotency-Key (warranties/idempotency.py).
    create_once: IdempotentCreate


@cache
def warranties() -> Warranties:
    # Imported here, not above: the docs function imports the routes only to describe them and
    # must not load pynamodb and botocore. The warranties handler calls this during its init phase.
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
        shared_connection(),
    )
    service = WarrantyService(repository, ids.next_id)
    return Warranties(
        service=service,
        create_once=IdempotentCreate(
            service, settings.idempotency_table_name, settings.idempotency_ttl_seconds
        ),
    )
