"""HTTP routes of the `orders` function: read the caller, call the service, shape the response.

Every route is signed in (the HTTP API's JWT authorizer): the service decides what the caller's
role may do (403) and which orders it may see (someone else's order is 404, like a missing one).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from shopfloor.platform.http import IdempotencyKey, created_response, page_response, parse_id
from shopfloor.platform.openapi import BODY_ERRORS, LOCATION, NEXT_PAGE, REPLAYED, SIGNED_IN, answers
from shopfloor.platform.pagination import DEFAULT_LIMIT, MAX_LIMIT
from shopfloor.shop.callers import Role, caller_of, only
from shopfloor.shop.orders.flow import Status
from shopfloor.shop.orders.schemas import Order, OrderEvent, OrderIn, StatusChange
from shopfloor.shop.orders.service import OrderService
from shopfloor.shop.wiring import order_service

router = APIGatewayHttpRouter()

# At most 20 lines of three small numbers each: far below either limit.
MAX_ORDER_BODY_BYTES = 16 * 1024
MAX_STATUS_BODY_BYTES = 1024
BODY_LIMITS = {"POST /orders": MAX_ORDER_BODY_BYTES, "PATCH /orders/{id}/status": MAX_STATUS_BODY_BYTES}
# A caller whose role may not do this hears 403 before the body is read.
GUARDS = {
    "POST /orders": only(Role.CUSTOMER),
    "POST /orders/{id}/cancel": only(Role.CUSTOMER),
    "PATCH /orders/{id}/status": only(Role.MANAGER),
}
TAGS = ["orders"]
FLOW = (
    "The flow: waiting → preparation → ready → delivered, and preparation → waiting (managers); "
    "waiting or preparation → cancelled (the customer who placed it)."
)

Orders = Annotated[OrderService, Depends(order_service)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Orders per page.")]
Cursor = Annotated[str | None, Query(description="Opaque cursor from the previous page's Link header.")]
StatusFilter = Annotated[Status | None, Query(description="Only the orders in this status.")]
Sort = Annotated[
    Literal["newest", "oldest"],
    Query(description="`newest` first (the default), or `oldest` first: a board's next order to make."),
]


@router.post(
    "/orders",
    summary="Place an order (customers)",
    description="Each line names a product of the menu and, for a product with variations, one of "
    "them. Names and prices are copied onto the order as the menu has them now. With an "
    "`Idempotency-Key` (scoped to the customer), a repeat of the request answers the first "
    "response (with `Idempotent-Replayed: true`) and places nothing; the same key with another "
    "request is 422. Keys are kept for a day.",
    tags=TAGS,
    security=SIGNED_IN,
    responses=answers(
        201,
        Order,
        description="The order, waiting; or the first one placed with this Idempotency-Key.",
        headers={**LOCATION, **REPLAYED},
        errors=(*BODY_ERRORS, 401, 403, 503),
        error_descriptions={
            403: "Only customers place orders.",
            422: 'Fields refused, or lines the menu cannot serve, each named: `{"message": '
            '["lines.0.product_id: no such product on the menu"]}`.',
            503: "Too many concurrent requests for the same order, or storage failed.",
        },
    ),
)
def place_order(order: OrderIn, orders: Orders, idempotency_key: IdempotencyKey = None) -> Response[Any]:
    event = router.current_event
    created = orders.place(caller_of(event), order, idempotency_key)
    body = created.resource.model_dump(mode="json")
    return created_response(event, f"/orders/{created.resource.id}", body, created.replayed)


@router.get(
    "/orders",
    summary="List orders, newest first (or oldest)",
    description="A customer's own orders; for a manager, every order. `status` keeps those in one status; "
    "`sort=oldest` lists them oldest first.",
    tags=TAGS,
    security=SIGNED_IN,
    responses=answers(
        200,
        list[Order],
        description="A page of orders, newest first (oldest first with `sort=oldest`).",
        headers=NEXT_PAGE,
        errors=(400, 401, 422),
        error_descriptions={400: "An invalid cursor."},
    ),
)
def list_orders(
    orders: Orders,
    *,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    status: StatusFilter = None,
    sort: Sort = "newest",
) -> Response[Any]:
    event = router.current_event
    page = orders.list_orders(caller_of(event), status, limit, cursor, oldest_first=sort == "oldest")
    query = {"limit": str(limit)}
    if status is not None:
        query["status"] = status.value
    if sort != "newest":
        query["sort"] = sort
    body = [order.model_dump(mode="json") for order in page.items]
    return page_response(event, body, page.next_cursor, query)


@router.get(
    "/orders/<id>",
    summary="Get an order (its customer, or a manager)",
    tags=TAGS,
    security=SIGNED_IN,
    responses=answers(
        200,
        Order,
        description="The order.",
        errors=(401, 404),
        error_descriptions={404: "No such order, or another customer's."},
    ),
)
def get_order(id: str, orders: Orders) -> Order:
    caller = caller_of(router.current_event)
    return orders.get(caller, parse_id(id))


@router.patch(
    "/orders/<id>/status",
    summary="Move an order along the flow (managers)",
    description=f"{FLOW} Any other move is 409.",
    tags=TAGS,
    security=SIGNED_IN,
    responses=answers(
        200,
        Order,
        description="The order in its new status.",
        errors=(*BODY_ERRORS, 401, 403, 404, 409),
        error_descriptions={
            403: "Only managers move orders along the flow.",
            409: '`{"message": "Cannot move an order from <current> to <wanted>."}`',
        },
    ),
)
def change_status(id: str, change: StatusChange, orders: Orders) -> Order:
    caller = caller_of(router.current_event)
    return orders.change_status(caller, parse_id(id), change.status)


@router.post(
    "/orders/<id>/cancel",
    summary="Cancel an order (the customer who placed it)",
    description=f"{FLOW} An order ready or later cannot be cancelled (409).",
    tags=TAGS,
    security=SIGNED_IN,
    responses=answers(
        200,
        Order,
        description="The order, cancelled.",
        errors=(401, 403, 404, 409),
        error_descriptions={
            403: "Managers do not cancel orders.",
            404: "No such order, or another customer's.",
            409: '`{"message": "Cannot move an order from <current> to cancelled."}`',
        },
    ),
)
def cancel_order(id: str, orders: Orders) -> Order:
    caller = caller_of(router.current_event)
    return orders.cancel(caller, parse_id(id))


@router.get(
    "/orders/<id>/events",
    summary="An order's timeline, oldest first (its customer, or a manager)",
    tags=TAGS,
    security=SIGNED_IN,
    responses=answers(
        200,
        list[OrderEvent],
        description="Each status the order moved into, when and by whom; the first is its placing.",
        errors=(401, 404),
        error_descriptions={404: "No such order, or another customer's."},
    ),
)
def order_events(id: str, orders: Orders) -> list[OrderEvent]:
    caller = caller_of(router.current_event)
    return orders.events(caller, parse_id(id))
