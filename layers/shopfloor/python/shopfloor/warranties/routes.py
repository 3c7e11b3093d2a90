"""HTTP routes of the `warranties` function: parse, call the service, shape the response."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from shopfloor.platform import errors
from shopfloor.platform.http import (
    IdempotencyKey,
    created_response,
    found,
    page_response,
    parse_id,
)
from shopfloor.platform.openapi import BODY_ERRORS, LOCATION, NEXT_PAGE, REPLAYED, answers
from shopfloor.platform.pagination import DEFAULT_LIMIT, MAX_LIMIT
from shopfloor.warranties.plans import PLANS
from shopfloor.warranties.schemas import PlanBand, Warranty, WarrantyIn, WarrantyPlan
from shopfloor.warranties.service import WarrantyService
from shopfloor.warranties.wiring import warranty_service

router = APIGatewayHttpRouter()

# A warranty keeps its request as received: a bounded one (the fields themselves are bounded).
MAX_BODY_BYTES = 16 * 1024
BODY_LIMITS = {"POST /warranties": MAX_BODY_BYTES}
FILTERS = ("sku", "item_type", "store_uuid")

Warranties = Annotated[WarrantyService, Depends(warranty_service)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Warranties per page.")]
Cursor = Annotated[str | None, Query(description="Opaque cursor from the previous page's Link header.")]
Filter = Annotated[
    str | None, Query(max_length=200, description="With the other two filters: one store's item.")
]


@router.post(
    "/warranties",
    summary="Create a warranty for an item sold in a store",
    description="The store and the item are created when first seen. With an `Idempotency-Key`, a "
    "repeat of the request answers the first response (with `Idempotent-Replayed: true`) and "
    "creates nothing; the same key with another request is 422. Keys are kept for a day.",
    tags=["warranties"],
    responses=answers(
        201,
        Warranty,
        description="The warranty, or the first one created with this Idempotency-Key.",
        headers={**LOCATION, **REPLAYED},
        errors=(*BODY_ERRORS, 503),
        error_descriptions={
            503: "Too many concurrent requests for the same store or item, or storage failed.",
        },
    ),
)
def create_warranty(
    warranty: WarrantyIn, warranties: Warranties, idempotency_key: IdempotencyKey = None
) -> Response[Any]:
    event = router.current_event
    created = warranties.create(warranty, event.body or "", idempotency_key)
    body = created.resource.model_dump(mode="json")
    return created_response(event, f"/warranties/{created.resource.id}", body, created.replayed)


@router.get(
    "/warranties",
    summary="List warranties, or one store's warranties for one item",
    description="Without filters: every warranty, paged. With `sku`, `item_type` and `store_uuid` "
    "(all three, or none): that store's warranties for that item, read through an index.",
    tags=["warranties"],
    responses=answers(
        200,
        list[Warranty],
        description="A page of warranties.",
        headers=NEXT_PAGE,
        errors=(400, 422),
        error_descriptions={400: "Some but not all of the three filters, or an invalid cursor."},
    ),
)
def list_warranties(
    warranties: Warranties,
    *,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    sku: Filter = None,
    item_type: Filter = None,
    store_uuid: Filter = None,
) -> Response[Any]:
    given = {"sku": sku, "item_type": item_type, "store_uuid": store_uuid}
    missing = [name for name in FILTERS if given[name] is None]
    if 0 < len(missing) < len(FILTERS):
        raise errors.BadRequestError(
            f"Filter by all of sku, item_type and store_uuid; missing: {', '.join(missing)}."
        )
    query = {"limit": str(limit)}
    if sku is None or item_type is None or store_uuid is None:
        page = warranties.list(limit, cursor)
    else:
        page = warranties.for_store_item(store_uuid, item_type, sku, limit, cursor)
        query.update({"sku": sku, "item_type": item_type, "store_uuid": store_uuid})
    body = [warranty.model_dump(mode="json") for warranty in page.items]
    return page_response(router.current_event, body, page.next_cursor, query)


@router.get(
    "/warranties/<id>",
    summary="Get a warranty",
    tags=["warranties"],
    responses=answers(200, Warranty, description="The warranty.", errors=(404,)),
)
def get_warranty(id: str, warranties: Warranties) -> Warranty:
    return found(warranties.get(parse_id(id)))


@router.get(
    "/warranty-plans",
    summary="The rule table that prices warranties",
    description="Per item type (`general` for any type not listed), bands of cost: each band's rate "
    "applies to the part of the cost within it (like tax brackets), so a higher cost never costs "
    "less; the price is at least the plan's minimum, rounded to cents; the duration is that of the "
    "band the cost falls in.",
    tags=["warranties"],
    responses=answers(200, list[WarrantyPlan], description="Every plan."),
)
def list_plans() -> list[WarrantyPlan]:
    return [
        WarrantyPlan(
            item_type=plan.item_type,
            minimum_price=float(plan.minimum_price),
            bands=[
                PlanBand(
                    up_to=None if band.up_to is None else float(band.up_to),
                    rate_percent=float(band.rate_percent),
                    duration_months=band.duration_months,
                )
                for band in plan.bands
            ],
        )
        for plan in PLANS
    ]
