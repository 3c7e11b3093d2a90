"""Product catalogue logic, over the interfaces it needs: where products live (DynamoDB's is
products/dynamodb.py), the offers service's registration and the cleanup of deleted products."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Protocol

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit

from shopfloor.catalog.errors import OffersServiceError
from shopfloor.catalog.products.schemas import Product, ProductIn, ProductPatch
from shopfloor.platform.observability import metrics
from shopfloor.platform.pagination import Page

logger = Logger(child=True)

# Business metric (namespace Shopfloor, dimension service=products): one per product created.
PRODUCTS_CREATED = "ProductsCreated"

Changes = dict[str, str | None]


class ProductRepository(Protocol):
    """Where products live."""

    def add(self, product: Product, offers_id: str | None = None) -> None: ...

    def get(self, product_id: int) -> Product | None: ...

    def list(self, limit: int, cursor: str | None) -> Page[Product]: ...

    def update(self, product_id: int, changes: Changes) -> Product | None: ...

    def replace(self, product: Product) -> bool: ...

    def delete(self, product_id: int) -> bool: ...


class Registrar(Protocol):
    """Registers a product with the offers service; raises OffersServiceError when it cannot."""

    def register(self, product_uuid: uuid.UUID, name: str, description: str | None) -> None: ...


class OffersCleanup(Protocol):
    """Removes what a deleted product leaves behind: its cached offers and price history."""

    def product_deleted(self, product_id: int) -> None: ...


class ProductService:
    def __init__(
        self,
        repository: ProductRepository,
        next_id: Callable[[], int],
        registrar: Registrar,
        cleanup: OffersCleanup,
    ) -> None:
        self._repository = repository
        self._next_id = next_id
        self._registrar = registrar
        self._cleanup = cleanup

    def create(self, data: ProductIn) -> Product:
        """Registered with the offers service first: if that fails, nothing is stored and the
        OffersServiceError goes on (the client is answered 503)."""
        offers_id = uuid.uuid4()
        try:
            self._registrar.register(offers_id, data.name, data.description)
        except OffersServiceError as error:
            logger.warning("Registration with the offers service failed", extra={"error": str(error)})
            raise
        product = Product(id=self._next_id(), name=data.name, description=data.description)
        self._repository.add(product, str(offers_id))
        metrics.add_metric(name=PRODUCTS_CREATED, unit=MetricUnit.Count, value=1)
        return product

    def get(self, product_id: int) -> Product | None:
        return self._repository.get(product_id)

    def list(self, limit: int, cursor: str | None) -> Page[Product]:
        return self._repository.list(limit, cursor)

    def patch(self, product_id: int, patch: ProductPatch) -> Product | None:
        changes = patch.model_dump(include=patch.model_fields_set)
        return self._repository.update(product_id, changes)

    def replace(self, product_id: int, data: ProductIn) -> Product | None:
        product = Product(id=product_id, name=data.name, description=data.description)
        return product if self._repository.replace(product) else None

    def delete(self, product_id: int) -> bool:
        if not self._repository.delete(product_id):
            return False
        self._cleanup.product_deleted(product_id)
        return True
