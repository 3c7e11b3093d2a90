"""The menu in DynamoDB, through pynamodb: one item per product and the view, written together."""

from __future__ import annotations

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from shopfloor.platform.tables import transact
from shopfloor.shop.menu.models import VIEW_ID, MenuItemModel, product_item_id, read_view
from shopfloor.shop.menu.schemas import MenuView
from shopfloor.shop.menu.service import ProductRecord, VersionedView

CONDITION_FAILED = "ConditionalCheckFailed"
# Fields of a product kept in attributes of their own, not in its body.
OWN_ATTRIBUTES = frozenset({"deleted_at"})


class DynamoMenuRepository:
    """The view is one item (`read_view`: one GetItem); a write puts it and the product's item in
    one TransactWriteItems, the view first and on condition that its version is the one read."""

    def __init__(self, model: type[MenuItemModel], connection: Connection) -> None:
        self._model = model
        self._connection = connection

    def view(self) -> VersionedView:
        view, version = read_view(self._model)
        return VersionedView(view, version)

    def product(self, product_id: int) -> ProductRecord | None:
        try:
            item = self._model.get(product_item_id(product_id), consistent_read=True)
        except self._model.DoesNotExist:
            return None
        return ProductRecord.model_validate_json(item.body).model_copy(update={"deleted_at": item.deleted_at})

    def save(self, product: ProductRecord, view: MenuView, read_version: int) -> bool:
        model = self._model
        view_item = model(VIEW_ID, body=view.model_dump_json(), version=read_version + 1)
        unchanged = model.id.does_not_exist() if read_version == 0 else model.version == read_version
        product_item = model(
            product_item_id(product.id),
            body=product.model_dump_json(exclude=set(OWN_ATTRIBUTES)),
            version=read_version + 1,
            deleted_at=product.deleted_at,
        )

        def fill(transaction: TransactWrite) -> None:
            transaction.save(view_item, condition=unchanged)  # first: its reason comes first
            transaction.save(product_item)

        try:
            transact(self._connection, fill)
        except TransactWriteError as error:
            reasons = list(error.cancellation_reasons or [])
            if reasons and reasons[0] is not None and reasons[0].code == CONDITION_FAILED:
                return False
            raise
        return True
