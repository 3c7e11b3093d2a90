"""The catalogue's composition root: what each of its functions needs, built once per container.

| function        | builds                                        |
|-----------------|-----------------------------------------------|
| products        | product_service (offers_client on first POST) |
| offers          | offers_reader                                 |
| offers-dispatch | dispatcher                                    |
| offers-worker   | worker (with offers_client)                   |

Deferred imports, the one rule of this module: pynamodb, botocore and requests, and every module of
the context that loads them (the table models, the DynamoDB adapters, the offers service's client),
are imported inside the builders, never at its top. The docs function imports the routers only to
describe them, and with them this module (their dependencies name its builders), and must not load
them; each handler calls its builder during its init phase, so that the first request does not pay
for it. What only some requests need is built by the first of them: the products function loads
requests with the offers service's client on its first `POST /products` (LazyRegistrar).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shopfloor.catalog.offers.reader import OffersReader
    from shopfloor.catalog.offers_service.client import OffersServiceClient
    from shopfloor.catalog.products.service import ProductService
    from shopfloor.catalog.sync.dispatch import Dispatcher
    from shopfloor.catalog.sync.worker import OffersWorker

PRODUCT_SEQUENCE = "products"


@cache
def product_service() -> ProductService:
    from shopfloor.catalog.models import ProductModel
    from shopfloor.catalog.products.cleanup import QueuedCleanup
    from shopfloor.catalog.products.dynamodb import DynamoProductRepository
    from shopfloor.catalog.products.service import ProductService
    from shopfloor.catalog.settings import ProductsSettings
    from shopfloor.platform.ids import IdAllocator, SequenceModel
    from shopfloor.platform.tables import bind

    settings = ProductsSettings.from_environ()
    ids = IdAllocator(bind(SequenceModel, settings.ids_table_name), PRODUCT_SEQUENCE, settings.id_block_size)
    repository = DynamoProductRepository(bind(ProductModel, settings.products_table_name))
    return ProductService(
        repository, ids.next_id, LazyRegistrar(), QueuedCleanup(settings.offers_sync_queue_url)
    )


@cache
def offers_reader() -> OffersReader:
    from shopfloor.catalog.models import OfferModel, PriceHistoryModel, ProductModel
    from shopfloor.catalog.offers.reader import OffersReader
    from shopfloor.catalog.settings import OffersReadSettings
    from shopfloor.platform.tables import bind

    settings = OffersReadSettings.from_environ()
    return OffersReader(
        bind(ProductModel, settings.products_table_name),
        bind(OfferModel, settings.offers_table_name),
        bind(PriceHistoryModel, settings.price_history_table_name),
    )


@cache
def dispatcher() -> Dispatcher:
    from shopfloor.catalog.models import ProductModel
    from shopfloor.catalog.products.dynamodb import DynamoProductRepository
    from shopfloor.catalog.settings import DispatchSettings
    from shopfloor.catalog.sync.dispatch import Dispatcher
    from shopfloor.platform import aws
    from shopfloor.platform.tables import bind

    settings = DispatchSettings.from_environ()
    products = DynamoProductRepository(bind(ProductModel, settings.products_table_name))
    return Dispatcher(products.sync_targets, aws.client("sqs"), settings.offers_sync_queue_url)


@cache
def worker() -> OffersWorker:
    from shopfloor.catalog.models import OfferModel, PriceHistoryModel, ProductModel
    from shopfloor.catalog.products.dynamodb import DynamoProductRepository
    from shopfloor.catalog.settings import WorkerSettings
    from shopfloor.catalog.sync.store import OffersStore
    from shopfloor.catalog.sync.worker import OffersWorker
    from shopfloor.platform.clock import utc_now
    from shopfloor.platform.tables import bind

    settings = WorkerSettings.from_environ()
    products = bind(ProductModel, settings.products_table_name)
    store = OffersStore(
        products,
        bind(OfferModel, settings.offers_table_name),
        bind(PriceHistoryModel, settings.price_history_table_name),
        settings.price_history_days,
    )
    repository = DynamoProductRepository(products)
    return OffersWorker(store, offers_client(), repository.name_and_description, utc_now)


@cache
def offers_client() -> OffersServiceClient:
    """The offers service's client, over one requests Session; the refresh token is read from
    Secrets Manager the first time a new access token is needed."""
    from shopfloor.catalog.offers_service.client import OffersServiceClient, new_session, request_access_token
    from shopfloor.catalog.offers_service.tokens import SharedAccessToken, TokenModel
    from shopfloor.catalog.settings import OffersServiceSettings
    from shopfloor.platform import aws
    from shopfloor.platform.tables import bind

    settings = OffersServiceSettings.from_environ()
    session = new_session()
    refresh_token = _ReadOnce(lambda: aws.secret_string(settings.refresh_token_secret_id))

    def request_token() -> str:
        return request_access_token(session, settings.offers_service_url, refresh_token.value)

    tokens = SharedAccessToken(bind(TokenModel, settings.tokens_table_name), request_token)
    return OffersServiceClient(settings.offers_service_url, tokens, session)


class LazyRegistrar:
    """Registers products; the offers service's client is built on the first registration, since
    only `POST /products` registers and the products function's other routes never need it."""

    def register(self, product_uuid: uuid.UUID, name: str, description: str | None) -> None:
        offers_client().register(product_uuid, name, description)


class _ReadOnce:
    """A value read the first time it is asked for, then kept."""

    def __init__(self, read: Callable[[], str]) -> None:
        self._read = read
        self._lock = threading.Lock()
        self._value: str | None = None

    @property
    def value(self) -> str:
        with self._lock:
            if self._value is None:
                self._value = self._read()
            return self._value
