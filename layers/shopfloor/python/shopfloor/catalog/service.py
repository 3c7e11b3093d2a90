"""Product catalogue logic, over the repository interface."""

from __future__ import annotations

from collections.abc import Callable

from shopfloor.catalog.repository import ProductRepository
from shopfloor.catalog.schemas import Product, ProductIn, ProductPatch
from shopfloor.platform.pagination import Page


class ProductService:
    def __init__(self, repository: ProductRepository, next_id: Callable[[], int]) -> None:
        self._repository = repository
        self._next_id = next_id

    def create(self, data: ProductIn) -> Product:
        product = Product(id=self._next_id(), name=data.name, description=data.description)
        self._repository.add(product)
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
        return self._repository.delete(product_id)
