"""Products in DynamoDB, through pynamodb."""

from __future__ import annotations

from collections.abc import Iterator

from pynamodb.exceptions import DeleteError, UpdateError

from shopfloor.catalog.models import ProductModel
from shopfloor.catalog.products.schemas import Product
from shopfloor.catalog.products.service import Changes
from shopfloor.platform.pagination import Page, decode_cursor, id_key, page_of
from shopfloor.platform.tables import is_conditional_check_failure


class DynamoProductRepository:
    """Products in DynamoDB, one item per product, every write conditional on existence."""

    def __init__(self, model: type[ProductModel]) -> None:
        self._model = model

    def add(self, product: Product, offers_id: str | None = None) -> None:
        item = self._to_item(product)
        item.offers_id = offers_id
        item.registered = offers_id is not None
        item.save(condition=self._model.id.does_not_exist())

    def get(self, product_id: int) -> Product | None:
        try:
            return _to_product(self._model.get(product_id))
        except self._model.DoesNotExist:
            return None

    def list(self, limit: int, cursor: str | None) -> Page[Product]:
        start = decode_cursor(cursor, ["id"]) if cursor else None
        results = self._model.scan(limit=limit + 1, page_size=limit + 1, last_evaluated_key=start)
        return page_of([_to_product(item) for item in results], limit, id_key)

    def update(self, product_id: int, changes: Changes) -> Product | None:
        item = self._model(product_id)
        actions = [
            getattr(self._model, name).remove() if value is None else getattr(self._model, name).set(value)
            for name, value in changes.items()
        ]
        try:
            item.update(actions=actions, condition=self._model.id.exists())
        except UpdateError as error:
            if is_conditional_check_failure(error):
                return None
            raise
        return _to_product(item)

    def replace(self, product: Product) -> bool:
        # An update of every client field, not a put: the offers registration stays.
        changes: Changes = {"name": product.name, "description": product.description}
        return self.update(product.id, changes) is not None

    def sync_targets(self) -> Iterator[tuple[int, str | None, bool]]:
        """Every product, paged through (the sync asks for all of them): id and registration only."""
        for item in self._model.scan(attributes_to_get=["id", "offers_id", "registered"], page_size=500):
            yield int(item.id), item.offers_id, bool(item.registered)

    def name_and_description(self, product_id: int) -> tuple[str, str | None] | None:
        product = self.get(product_id)
        return None if product is None else (product.name, product.description)

    def delete(self, product_id: int) -> bool:
        try:
            self._model(product_id).delete(condition=self._model.id.exists())
        except DeleteError as error:
            if is_conditional_check_failure(error):
                return False
            raise
        return True

    def _to_item(self, product: Product) -> ProductModel:
        return self._model(product.id, name=product.name, description=product.description)


def _to_product(item: ProductModel) -> Product:
    return Product(id=int(item.id), name=item.name, description=item.description)
