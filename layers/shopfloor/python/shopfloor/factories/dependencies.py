"""The factories' and sprockets' objects, built once per container from their settings."""

from __future__ import annotations

from functools import cache

from shopfloor.factories.service import FACTORIES, SPROCKETS, FactoryService, SprocketService


@cache
def factory_service() -> FactoryService:
    # Imported here, not above: the docs function imports these routes only to describe them and
    # must not load pynamodb and botocore. The factories handler calls this during its init phase.
    from shopfloor.factories.dynamodb import DynamoFactoryRepository, DynamoRequestKeys
    from shopfloor.factories.models import ChartChunkModel, FactoryModel, RequestKeyModel
    from shopfloor.factories.settings import FactoriesSettings
    from shopfloor.platform.ids import IdAllocator, SequenceModel
    from shopfloor.platform.tables import bind

    settings = FactoriesSettings.from_environ()
    ids = IdAllocator(bind(SequenceModel, settings.ids_table_name), FACTORIES, settings.id_block_size)
    keys = DynamoRequestKeys(bind(RequestKeyModel, settings.idempotency_table_name))
    repository = DynamoFactoryRepository(
        bind(FactoryModel, settings.factories_table_name),
        bind(ChartChunkModel, settings.factory_points_table_name),
        keys,
    )
    return FactoryService(repository, ids.next_id, keys)


@cache
def sprocket_service() -> SprocketService:
    # Imported here, not above, for the docs function: see factory_service.
    from shopfloor.factories.dynamodb import DynamoRequestKeys, DynamoSprocketRepository
    from shopfloor.factories.models import RequestKeyModel, SprocketModel
    from shopfloor.factories.settings import SprocketsSettings
    from shopfloor.platform.ids import IdAllocator, SequenceModel
    from shopfloor.platform.tables import bind

    settings = SprocketsSettings.from_environ()
    ids = IdAllocator(bind(SequenceModel, settings.ids_table_name), SPROCKETS, settings.id_block_size)
    keys = DynamoRequestKeys(bind(RequestKeyModel, settings.idempotency_table_name))
    repository = DynamoSprocketRepository(bind(SprocketModel, settings.sprockets_table_name), keys)
    return SprocketService(repository, ids.next_id, keys)
