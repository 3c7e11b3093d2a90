"""The offers sync's objects, built once per container from its settings."""

from __future__ import annotations

from shopfloor.catalog.dynamodb import DynamoProductRepository
from shopfloor.catalog.models import OfferModel, PriceHistoryModel, ProductModel
from shopfloor.catalog.offers_store import OffersStore
from shopfloor.catalog.offers_wiring import offers_client
from shopfloor.catalog.settings import DispatchSettings, WorkerSettings
from shopfloor.catalog.sync import Dispatcher, OffersWorker
from shopfloor.platform import aws
from shopfloor.platform.clock import utc_now
from shopfloor.platform.tables import bind


def dispatcher() -> Dispatcher:
    settings = DispatchSettings.from_environ()
    products = DynamoProductRepository(bind(ProductModel, settings.products_table_name))
    return Dispatcher(products.sync_targets, aws.client("sqs"), settings.offers_sync_queue_url)


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
