"""The offers dispatcher, built once per container from its settings."""

from __future__ import annotations

from shopfloor.catalog.dispatch import Dispatcher
from shopfloor.catalog.dynamodb import DynamoProductRepository
from shopfloor.catalog.models import ProductModel
from shopfloor.catalog.settings import DispatchSettings
from shopfloor.platform import aws
from shopfloor.platform.tables import bind


def dispatcher() -> Dispatcher:
    settings = DispatchSettings.from_environ()
    products = DynamoProductRepository(bind(ProductModel, settings.products_table_name))
    return Dispatcher(products.sync_targets, aws.client("sqs"), settings.offers_sync_queue_url)
