"""HTTP routes of warranties: parse, call the service, shape the response."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.exceptions import BadRequestError, ServiceError
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shopfloor.platform import errors
from shopfloor.platform.http import json_response, next_page_headers, parse_id, resource_url
from shopfloor.platform.pagination import DEFAULT_LIMIT, MAX_LIMIT
from shopfloor.warranties.dependencies import Warranties, warranties
from shopfloor.warranties.errors import (
    IdempotencyKeyReusedError,
    RequestInProgressError,
    WarrantyConflictError,
)
from shopfloor.warranties.plans import PLANS
from shopfloor.warranties.schemas import PlanBand, Warranty, WarrantyIn, WarrantyPlan

logger = Logger(child=True)
router = APIGatewayRouter()

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_IDEMPOTENCY_KEY = 255
# A warranty keeps its request as received: a bounded one (the fields themselves are bounded).
MAX_BODY_BYTES = 16 * 1024
FILTERS = ("sku", "item_type", "store_uuid")

App = Annotated[Warranties, Depends(warranties)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Warranties per page.")]
Cursor = Annotated[str | None, Query(description="Opaque cursor from the previous page's Link header.")]
Filter = Annotated[
    str | None, Query(max_length=200, description="With the other two filters: one store's item.")
]

NOT_FOUND_RESPONSE: dict[int, OpenAPIResponse] = {404: {"description": "No such warranty."}}
CREATE_RESPONSES: dict[int, OpenAPIResponse] = {
    409: {"description": "A request with the same Idempotency-Key is still in progress."},
    413: {"description": f"The body is larger than {MAX_BODY_BYTES} bytes."},
    503: {"description": "Too many concurrent requests for the same store or item, or storage failed."},
}


@router.post(
    "/warranties",
    summary="Create a warranty for an item sold in a store",
    description="The store and the item are created when first seen. With an `Idempotency-Key` "
    "header (1 to 255 characters) a retried request returns the first response and creates nothing; "
    "the same key with a different body is a 422.",
    tags=["warranties"],
    responses=CREATE_RESPONSES,
)
def create_warranty(warranty: WarrantyIn, app: App) -> Response[Any]:
    event = router.current_event
    raw = event.body or ""
    if len(raw.encode()) > MAX_BODY_BYTES:
        raise ServiceError(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"Request body is larger than {MAX_BODY_BYTES} bytes."
        )
    key = event.headers.get(IDEMPOTENCY_HEADER)
    if key is not None and (not 0 < len(key) <= MAX_IDEMPOTENCY_KEY or not key.isprintable()):
        raise BadRequestError(
            f"{IDEMPOTENCY_HEADER} must be 1 to {MAX_IDEMPOTENCY_KEY} printable characters."
        )
    try:
        if key is None:
            created = app.service.create(warranty, raw).model_dump(mode="json")
        else:
            created = app.create_once(key, raw, warranty, router.lambda_context)
    except IdempotencyKeyReusedError:
        return json_response(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            errors.envelope([f"{IDEMPOTENCY_HEADER}: already used with a different request"]),
        )
    except RequestInProgressError:
        return json_response(
            HTTPStatus.CONFLICT,
            errors.envelope(f"A request with this {IDEMPOTENCY_HEADER} is still in progress; retry later."),
            {"Retry-After": "1"},
        )
    except WarrantyConflictError:
        logger.warning(
            "A warranty kept conflicting with concurrent ones", extra={"store": warranty.store_uuid}
        )
        return json_response(
            HTTPStatus.SERVICE_UNAVAILABLE,
            errors.envelope("Too many concurrent requests for this store or item; retry."),
            {"Retry-After": "1"},
        )
    location = resource_url(event, f"/warranties/{created['id']}")
    return json_response(HTTPStatus.CREATED, created, {"Location": location})


@router.get(
    "/warranties",
    summary="List warranties, or one store's warranties for one item",
    description="Without filters: every warranty, paged. With `sku`, `item_type` and `store_uuid` "
    "(all three, or none): that store's warranties for that item, read through an index.",
    tags=["warranties"],
)
def list_warranties(
    app: App,
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
        raise BadRequestError(
            f"Filter by all of sku, item_type and store_uuid; missing: {', '.join(missing)}."
        )
    query = {"limit": str(limit)}
    if sku is None or item_type is None or store_uuid is None:
        page = app.service.list(limit, cursor)
    else:
        page = app.service.for_store_item(store_uuid, item_type, sku, limit, cursor)
        query.update({"sku": sku, "item_type": item_type, "store_uuid": store_uuid})
    body = [warranty.model_dump(mode="json") for warranty in page.items]
    return json_response(
        HTTPStatus.OK, body, next_page_headers(router.current_event, page.next_cursor, query)
    )


@router.get("/warranties/<id>", summary="Get a warranty", tags=["warranties"], responses=NOT_FOUND_RESPONSE)
def get_warranty(id: str, app: App) -> Warranty:
    warranty = app.service.get(parse_id(id))
    if warranty is None:
        raise errors.not_found()
    return warranty


@router.get(
    "/warranty-plans",
    summary="The rule table that prices warranties",
    description="Per item type (`general` for any type not listed), bands of cost: each band's rate "
    "applies to the part of the cost within it (like tax brackets), so a higher cost never costs "
    "less; the price is at least the plan's minimum, rounded to cents; the duration is that of the "
    "band the cost falls in.",
    tags=["warranties"],
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
