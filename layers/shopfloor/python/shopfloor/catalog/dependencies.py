"""The catalogue's objects, built once per container from its settings."""

from __future__ import annotations

from functools import cache

from shopfloor.catalog.service import ProductService

PRODUCT_SEQUENCE = "products"


@cache
def product_service() -> ProductService:
    # Imported here, not above: the docs function imports the catalogue's routes only to describe
    # them and never builds the service, so it must not load pynamodb and botocore. The products
    # handler calls this during its init phase.
    from shopfloor.catalog.dynamodb import DynamoProductRepository
    from shopfloor.catalog.models import ProductModel
    from shopfloor.catalog.offers_wiring import LazyRegistrar, QueuedCleanup
    from shopfloor.catalog.settings import ProductsSettings
    from shopfloor.platform.ids import IdAllocator, SequenceModel
    from shopfloor.platform.tables import bind

    settings = ProductsSettings.from_environ()
    ids = IdAllocator(bind(SequenceModel, settings.ids_table_name), PRODUCT_SEQUENCE, settings.id_block_size)
    repository = DynamoProductRepository(bind(ProductModel, settings.products_table_name))
    return ProductService(
        repository, ids.next_id, LazyRegistrar(settings), QueuedCleanup(settings.offers_sync_queue_url)
    )
