"""An in-memory ProductRepository: the service's tests swap it in instead of patching."""

from __future__ import annotations

from shopfloor.catalog.repository import Changes
from shopfloor.catalog.schemas import Product
from shopfloor.platform.pagination import Page


class InMemoryProductRepository:
    def __init__(self) -> None:
        self.products: dict[int, Product] = {}

    def add(self, product: Product) -> None:
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
