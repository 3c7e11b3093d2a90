"""The offers worker, built once per container from its settings."""

from __future__ import annotations

from shopfloor.catalog.dynamodb import DynamoProductRepository
from shopfloor.catalog.models import OfferModel, PriceHistoryModel, ProductModel
from shopfloor.catalog.offers_store import OffersStore
from shopfloor.catalog.offers_wiring import offers_client
from shopfloor.catalog.settings import WorkerSettings
from shopfloor.catalog.sync import OffersWorker
from shopfloor.platform.clock import utc_now
from shopfloor.platform.tables import bind


def worker() -> OffersWorker:
    settings = WorkerSettings.from_environ()
    products = bind(ProductModel, settings.products_table_name)
    store = OffersStore(
        products,
        bind(OfferModel, settings.offers_table_name),
        bind(PriceHistoryModel, settings.price_history_table_name),
        settings.price_history_days,
    )
    repository = DynamoProductRepository(products)
    return OffersWorker(store, offers_client(settings), repository.name_and_description, utc_now)
