"""HTTP routes of the `sprockets` function: parse, call the service, shape the response."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from shopfloor.platform.http import (
    IdempotencyKey,
    created_response,
    found,
    page_response,
    parse_id,
)
from shopfloor.platform.openapi import BODY_ERRORS, LOCATION, NEXT_PAGE, REPLAYED, answers
from shopfloor.platform.pagination import DEFAULT_LIMIT, MAX_LIMIT
from shopfloor.sprockets.schemas import Sprocket, SprocketIn, SprocketsPage
from shopfloor.sprockets.service import SprocketService
from shopfloor.sprockets.wiring import sprocket_service

router = APIGatewayHttpRouter()

Sprockets = Annotated[SprocketService, Depends(sprocket_service)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Sprockets per page.")]
Cursor = Annotated[str | None, Query(description="Opaque cursor from the previous page's Link header.")]


@router.get(
    "/v1/sprockets",
    summary="List sprockets",
    tags=["sprockets"],
    responses=answers(
        200, SprocketsPage, description="A page of sprockets.", headers=NEXT_PAGE, errors=(400, 422)
    ),
)
def list_sprockets(
    sprockets: Sprockets, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Response[Any]:
    page = sprockets.list(limit, cursor)
    body = {"sprockets": [sprocket.model_dump() for sprocket in page.items]}
    return page_response(router.current_event, body, page.next_cursor, {"limit": str(limit)})


@router.post(
    "/v1/sprockets",
    summary="Create a sprocket",
    description="With an `Idempotency-Key`, a repeat of the request answers the first response (with "
    "`Idempotent-Replayed: true`) and creates nothing; the same key with another request is 422. "
    "Keys are kept as long as the sprockets they created.",
    tags=["sprockets"],
    responses=answers(
        201,
        Sprocket,
        description="The sprocket, or the first one created with this Idempotency-Key, as created.",
        headers={**LOCATION, **REPLAYED},
        errors=(*BODY_ERRORS, 503),
        error_descriptions={503: "Too many concurrent requests with the same Idempotency-Key; retry."},
    ),
)
def create_sprocket(
    sprocket: SprocketIn, sprockets: Sprockets, idempotency_key: IdempotencyKey = None
) -> Response[Any]:
    created = sprockets.create(sprocket, idempotency_key)
    path = f"/v1/sprockets/{created.resource.id}"
    return created_response(router.current_event, path, created.resource.model_dump(), created.replayed)


@router.get(
    "/v1/sprockets/<id>",
    summary="Get a sprocket",
    tags=["sprockets"],
    responses=answers(200, Sprocket, description="The sprocket.", errors=(404,)),
)
def get_sprocket(id: str, sprockets: Sprockets) -> Sprocket:
    return found(sprockets.get(parse_id(id)))


@router.put(
    "/v1/sprockets/<id>",
    summary="Replace a sprocket",
    tags=["sprockets"],
    responses=answers(200, Sprocket, description="The sprocket as replaced.", errors=(*BODY_ERRORS, 404)),
)
def replace_sprocket(id: str, sprocket: SprocketIn, sprockets: Sprockets) -> Sprocket:
    return found(sprockets.replace(parse_id(id), sprocket))
