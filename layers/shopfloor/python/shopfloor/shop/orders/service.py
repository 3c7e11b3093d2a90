"""Order logic, over the repository interface: who may do what, pricing from the menu, the flow."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Protocol

from aws_lambda_powertools.metrics import MetricUnit

from shopfloor.platform import errors
from shopfloor.platform.clock import iso, utc_now
from shopfloor.platform.idempotency import Created, IdempotentRequest, idempotent_request
from shopfloor.platform.observability import metrics
from shopfloor.platform.pagination import Page
from shopfloor.shop.callers import Caller, Role, require
from shopfloor.shop.menu.schemas import MenuView
from shopfloor.shop.orders.errors import CannotMoveError, UnorderableLinesError
from shopfloor.shop.orders.flow import CANCELLABLE, Status, manager_source
from shopfloor.shop.orders.pricing import order_total, priced_lines
from shopfloor.shop.orders.schemas import Order, OrderEvent, OrderIn

ROUTE: Final = "POST /orders"
# Business metric (namespace Shopfloor, dimension service=orders): one per order placed, none for
# a replayed Idempotency-Key.
ORDERS_PLACED: Final = "OrdersPlaced"


@dataclass(frozen=True)
class TrackedOrder:
    """An order with its timeline, oldest first."""

    order: Order
    events: list[OrderEvent]


@dataclass(frozen=True)
class Transition:
    """Move an order into `event.status`, only from one of `sources` and, for `customer`, only if
    it is that customer's order; `event` joins the order's timeline."""

    order_id: int
    sources: frozenset[Status]
    event: OrderEvent
    customer: str | None = None


@dataclass(frozen=True)
class Refused:
    """A transition the order was not in a state (or not the caller's) to take."""

    status: Status
    customer: str


class OrderRepository(Protocol):
    def add(self, placed: TrackedOrder, idempotency: IdempotentRequest | None) -> Created[Order]:
        """Store the order, with its key's record in the same transaction; when the key was
        recorded first, store nothing and answer the order that request placed."""
        ...

    def replayed(self, idempotency: IdempotentRequest) -> Order | None:
        """The order a request with this key placed, if any (KeyReusedError for another request)."""
        ...

    def get(self, order_id: int) -> TrackedOrder | None: ...

    def move(self, transition: Transition) -> Order | Refused | None:
        """The order moved, in one conditional write; Refused (with what the write found) when its
        status or customer does not allow it; None when there is no such order."""
        ...

    def every(self, limit: int, cursor: str | None, *, oldest_first: bool = False) -> Page[Order]:
        """Every order, newest first (or oldest)."""
        ...

    def with_status(
        self, status: Status, limit: int, cursor: str | None, *, oldest_first: bool = False
    ) -> Page[Order]:
        """The orders in one status, newest first (or oldest)."""
        ...

    def of_customer(
        self,
        customer: str,
        status: Status | None,
        limit: int,
        cursor: str | None,
        *,
        oldest_first: bool = False,
    ) -> Page[Order]:
        """A customer's orders (in one status, if given), newest first (or oldest)."""
        ...


class OrderService:
    def __init__(
        self,
        repository: OrderRepository,
        read_menu: Callable[[], MenuView],
        next_id: Callable[[], int],
        *,
        idempotency_ttl: timedelta = timedelta(days=1),
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self._repository = repository
        self._read_menu = read_menu
        self._next_id = next_id
        self._idempotency_ttl = idempotency_ttl
        self._now = now

    def place(self, caller: Caller, data: OrderIn, idempotency_key: str | None = None) -> Created[Order]:
        """A customer's new order, priced from the menu as it is now; with an Idempotency-Key this
        customer already used for this request, the order that request placed."""
        require(caller, Role.CUSTOMER)
        idempotency = idempotent_request(
            ROUTE, idempotency_key, data, self._idempotency_ttl, caller=caller.email
        )
        try:
            lines = priced_lines(data.lines, self._read_menu())
        except UnorderableLinesError:
            # A retry of an order placed before the menu lost one of its products answers that order.
            replayed = None if idempotency is None else self._repository.replayed(idempotency)
            if replayed is None:
                raise
            return Created(replayed, replayed=True)
        now = iso(self._now())
        order = Order(
            id=self._next_id(),
            status=Status.WAITING,
            location=data.location,
            customer=caller.email,
            lines=lines,
            total=order_total(lines),
            created_at=now,
            updated_at=now,
        )
        placed = TrackedOrder(order, [OrderEvent(status=Status.WAITING, at=now, by=Role.CUSTOMER)])
        created = self._repository.add(placed, idempotency)
        if not created.replayed:
            metrics.add_metric(name=ORDERS_PLACED, unit=MetricUnit.Count, value=1)
        return created

    def list_orders(
        self,
        caller: Caller,
        status: Status | None,
        limit: int,
        cursor: str | None,
        *,
        oldest_first: bool = False,
    ) -> Page[Order]:
        """A manager's view: every order (or those in `status`); a customer's: their own. Newest
        first, or oldest first (a board's next order to make is the oldest waiting)."""
        if caller.role is not Role.MANAGER:
            return self._repository.of_customer(
                caller.email, status, limit, cursor, oldest_first=oldest_first
            )
        if status is None:
            return self._repository.every(limit, cursor, oldest_first=oldest_first)
        return self._repository.with_status(status, limit, cursor, oldest_first=oldest_first)

    def get(self, caller: Caller, order_id: int) -> Order:
        return self._visible(caller, order_id).order

    def events(self, caller: Caller, order_id: int) -> list[OrderEvent]:
        return self._visible(caller, order_id).events

    def change_status(self, caller: Caller, order_id: int, wanted: Status) -> Order:
        """A manager's move along the flow: one write, conditional on the one status it comes from."""
        require(caller, Role.MANAGER)
        source = manager_source(wanted)
        if source is None:  # no status leads there: only the message needs the order's status
            tracked = self._repository.get(order_id)
            if tracked is None:
                raise errors.NotFoundError()
            raise CannotMoveError(tracked.order.status, wanted)
        outcome = self._repository.move(
            Transition(order_id, frozenset({source}), self._event(wanted, Role.MANAGER))
        )
        if outcome is None:
            raise errors.NotFoundError()
        if isinstance(outcome, Refused):
            raise CannotMoveError(outcome.status, wanted)
        return outcome

    def cancel(self, caller: Caller, order_id: int) -> Order:
        """The customer who placed the order cancels it, while it is waiting or in preparation."""
        require(caller, Role.CUSTOMER)
        transition = Transition(
            order_id, CANCELLABLE, self._event(Status.CANCELLED, Role.CUSTOMER), customer=caller.email
        )
        outcome = self._repository.move(transition)
        if outcome is None or (isinstance(outcome, Refused) and outcome.customer != caller.email):
            raise errors.NotFoundError()
        if isinstance(outcome, Refused):
            raise CannotMoveError(outcome.status, Status.CANCELLED)
        return outcome

    def _visible(self, caller: Caller, order_id: int) -> TrackedOrder:
        """The order, for a manager or the customer who placed it; 404 for anyone else."""
        tracked = self._repository.get(order_id)
        if tracked is None or (caller.role is not Role.MANAGER and tracked.order.customer != caller.email):
            raise errors.NotFoundError()
        return tracked

    def _event(self, status: Status, by: Role) -> OrderEvent:
        return OrderEvent(status=status, at=iso(self._now()), by=by)
