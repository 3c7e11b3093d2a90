"""Orders in DynamoDB, through pynamodb: placed in one transaction (with the Idempotency-Key's
record), moved by one conditional UpdateItem each, listed by one Query per page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from botocore.exceptions import ClientError
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.transactions import TransactWrite

from shopfloor.platform.errors import InvalidCursorError
from shopfloor.platform.idempotency import Created, IdempotentRequest
from shopfloor.platform.idempotency_records import IdempotencyRecords
from shopfloor.platform.pagination import Page, decode_cursor, encode_cursor, page_of
from shopfloor.platform.tables import CONDITIONAL_CHECK_FAILED, transact
from shopfloor.shop.callers import Role
from shopfloor.shop.menu.models import MenuItemModel, read_view
from shopfloor.shop.menu.schemas import MenuView
from shopfloor.shop.orders.flow import Status
from shopfloor.shop.orders.models import (
    LISTING,
    EventAttribute,
    LineAttribute,
    OrderModel,
    placed_key,
)
from shopfloor.shop.orders.schemas import Location, Order, OrderEvent, OrderLine
from shopfloor.shop.orders.service import Refused, TrackedOrder, Transition

ALL_NEW: Final = "ALL_NEW"
ALL_OLD: Final = "ALL_OLD"


def menu_reader(menu: type[MenuItemModel]) -> Callable[[], MenuView]:
    """The menu view as it is now, to price an order: one strongly consistent GetItem."""

    def read() -> MenuView:
        view, _version = read_view(menu)
        return view

    return read


class DynamoOrderRepository:
    def __init__(self, orders: type[OrderModel], records: IdempotencyRecords, connection: Connection) -> None:
        self._orders = orders
        self._records = records
        self._connection = connection

    def add(self, placed: TrackedOrder, idempotency: IdempotentRequest | None) -> Created[Order]:
        order = placed.order
        item = _to_item(self._orders, placed)
        body = order.model_dump_json()

        def fill(transaction: TransactWrite) -> None:
            transaction.save(item, condition=self._orders.id.does_not_exist())
            if idempotency is not None:
                self._records.add_to(transaction, idempotency, order.id, body)

        try:
            transact(self._connection, fill)
        except TransactWriteError as error:
            recorded = None if idempotency is None else self._records.taken(error, idempotency)
            if recorded is None or recorded.body is None:
                raise
            return Created(Order.model_validate_json(recorded.body), replayed=True)
        return Created(order)

    def replayed(self, idempotency: IdempotentRequest) -> Order | None:
        recorded = self._records.find(idempotency)
        if recorded is None or recorded.body is None:
            return None
        return Order.model_validate_json(recorded.body)

    def get(self, order_id: int) -> TrackedOrder | None:
        try:
            item = self._orders.get(order_id, consistent_read=True)
        except self._orders.DoesNotExist:
            return None
        return TrackedOrder(_to_order(item), _to_events(item))

    def move(self, transition: Transition) -> Order | Refused | None:
        """One UpdateItem, conditional on the status (and customer); on failure DynamoDB hands back
        the item as it found it (ReturnValuesOnConditionCheckFailure), so no read is needed to tell
        a missing order from one in another status. pynamodb's update() cannot ask for that, so the
        request pynamodb builds goes out through the model's own botocore client."""
        orders = self._orders
        event = transition.event
        condition = orders.id.exists() & orders.status.is_in(*(status.value for status in transition.sources))
        if transition.customer is not None:
            condition &= orders.customer == transition.customer
        actions: list[Action] = [
            orders.status.set(event.status.value),
            orders.updated_at.set(event.at),
            orders.events.set(orders.events.append([_to_event_attribute(event)])),
        ]
        request = orders(transition.order_id).get_update_kwargs_from_instance(
            actions=actions, condition=condition, return_values_on_condition_failure=ALL_OLD
        )
        request["ReturnValues"] = ALL_NEW
        try:
            response = orders._get_connection().connection.client.update_item(**request)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != CONDITIONAL_CHECK_FAILED:
                raise
            found = error.response.get("Item")
            if not found:
                return None
            current = orders.from_raw_data(found)
            return Refused(Status(current.status), current.customer)
        return _to_order(orders.from_raw_data(response["Attributes"]))

    def every(self, limit: int, cursor: str | None, *, oldest_first: bool = False) -> Page[Order]:
        return self._page(
            self._orders.by_time, "listing", LISTING, limit=limit, cursor=cursor, oldest_first=oldest_first
        )

    def with_status(
        self, status: Status, limit: int, cursor: str | None, *, oldest_first: bool = False
    ) -> Page[Order]:
        return self._page(
            self._orders.by_status,
            "status",
            status.value,
            limit=limit,
            cursor=cursor,
            oldest_first=oldest_first,
        )

    def of_customer(
        self,
        customer: str,
        status: Status | None,
        limit: int,
        cursor: str | None,
        *,
        oldest_first: bool = False,
    ) -> Page[Order]:
        only = None if status is None else self._orders.status == status.value
        return self._page(
            self._orders.by_customer,
            "customer",
            customer,
            limit=limit,
            cursor=cursor,
            only=only,
            oldest_first=oldest_first,
        )

    def _page(
        self,
        index: GlobalSecondaryIndex[OrderModel],
        partition: str,
        value: str,
        *,
        limit: int,
        cursor: str | None,
        only: Condition | None = None,
        oldest_first: bool = False,
    ) -> Page[Order]:
        """One Query of the index, newest first (or oldest), for up to `limit + 1` orders (the extra one only
        tells that more follow). pynamodb's result iterator would query on until it had them all,
        where a filter drops some or a page hits DynamoDB's 1 MB; this reads the first page alone,
        and carries on from where that Query stopped."""
        start = decode_cursor(cursor, ("id", "placed", partition)) if cursor else None
        if start is not None and start[partition] != {"S": value}:
            raise InvalidCursorError(cursor or "")
        results = index.query(
            value,
            filter_condition=only,
            scan_index_forward=oldest_first,
            limit=limit + 1,
            page_size=limit + 1,
            last_evaluated_key=start,
        )
        raw: dict[str, Any] = next(results.page_iter)
        found = [self._orders.from_raw_data(item) for item in raw.get("Items", [])]
        page = page_of(
            found,
            limit,
            lambda last: {"id": {"N": str(last.id)}, "placed": {"S": last.placed}, partition: {"S": value}},
        )
        # Fewer than asked for, yet the Query stopped early (a filter dropped some, or 1 MB): more follow.
        stopped_at = raw.get("LastEvaluatedKey") if page.next_cursor is None else None
        return Page(
            items=[_to_order(item) for item in page.items],
            next_cursor=encode_cursor(stopped_at) if stopped_at else page.next_cursor,
        )


def _to_item(model: type[OrderModel], placed: TrackedOrder) -> OrderModel:
    order = placed.order
    return model(
        order.id,
        customer=order.customer,
        status=order.status.value,
        listing=LISTING,
        placed=placed_key(order.created_at, order.id),
        location=order.location.value,
        lines=[
            LineAttribute(  # type: ignore[no-untyped-call]
                product_id=line.product_id,
                variation_id=line.variation_id,
                name=line.name,
                unit_price=line.unit_price,
                quantity=line.quantity,
                line_total=line.line_total,
            )
            for line in order.lines
        ],
        total=order.total,
        created_at=order.created_at,
        updated_at=order.updated_at,
        events=[_to_event_attribute(event) for event in placed.events],
    )


def _to_event_attribute(event: OrderEvent) -> EventAttribute:
    return EventAttribute(  # type: ignore[no-untyped-call]
        status=event.status.value, at=event.at, by=event.by.value
    )


def _to_order(item: OrderModel) -> Order:
    return Order(
        id=int(item.id),
        status=Status(item.status),
        location=Location(item.location),
        customer=item.customer,
        lines=[
            OrderLine(
                product_id=int(line.product_id),
                variation_id=None if line.variation_id is None else int(line.variation_id),
                name=line.name,
                unit_price=line.unit_price,
                quantity=int(line.quantity),
                line_total=line.line_total,
            )
            for line in item.lines
        ],
        total=item.total,
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def _to_events(item: OrderModel) -> list[OrderEvent]:
    return [OrderEvent(status=Status(event.status), at=event.at, by=Role(event.by)) for event in item.events]
