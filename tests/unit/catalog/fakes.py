"""In-memory stand-ins the catalogue's tests swap in instead of patching."""

from __future__ import annotations

import uuid

from shopfloor.catalog.errors import OffersServiceError
from shopfloor.catalog.products.schemas import Product
from shopfloor.catalog.products.service import Changes
from shopfloor.platform.pagination import Page


class InMemoryProductRepository:
    def __init__(self) -> None:
        self.products: dict[int, Product] = {}

    def add(self, product: Product, offers_id: str | None = None) -> None:
        assert product.id not in self.products, "ids must never repeat"
        self.products[product.id] = product

    def get(self, product_id: int) -> Product | None:
        return self.products.get(product_id)

    def list(self, limit: int, cursor: str | None) -> Page[Product]:
        ordered = sorted(self.products.values(), key=lambda product: product.id)
        start = int(cursor) if cursor else 0
        items = [product for product in ordered if product.id > start][:limit]
        more = bool(items) and items[-1].id != ordered[-1].id
        return Page(items=items, next_cursor=str(items[-1].id) if more else None)

    def update(self, product_id: int, changes: Changes) -> Product | None:
        current = self.products.get(product_id)
        if current is None:
            return None
        updated = current.model_copy(update=changes)
        self.products[product_id] = updated
        return updated

    def replace(self, product: Product) -> bool:
        if product.id not in self.products:
            return False
        self.products[product.id] = product
        return True

    def delete(self, product_id: int) -> bool:
        return self.products.pop(product_id, None) is not None


class FakeRegistrar:
    """Records registrations; `failing = True` makes it fail like an unreachable offers service."""

    def __init__(self) -> None:
        self.registered: dict[uuid.UUID, tuple[str, str | None]] = {}
        self.failing = False

    def register(self, product_uuid: uuid.UUID, name: str, description: str | None) -> None:
        if self.failing:
            raise OffersServiceError("offers service unreachable")
        self.registered[product_uuid] = (name, description)
