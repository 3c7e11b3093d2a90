"""Where products live: the interface the service depends on. DynamoDB's is in catalog/dynamodb.py."""

from __future__ import annotations

from typing import Protocol

from shopfloor.catalog.schemas import Product
from shopfloor.platform.pagination import Page

Changes = dict[str, str | None]


class ProductRepository(Protocol):
    def add(self, product: Product, offers_id: str | None = None) -> None: ...

    def get(self, product_id: int) -> Product | None: ...

    def list(self, limit: int, cursor: str | None) -> Page[Product]: ...

    def update(self, product_id: int, changes: Changes) -> Product | None: ...

    def replace(self, product: Product) -> bool: ...

    def delete(self, product_id: int) -> bool: ...
