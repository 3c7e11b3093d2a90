"""HTTP routes of the `sprockets` function: parse, call the service, shape the response."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shopfloor.platform import errors
from shopfloor.platform.http import (
    IdempotencyKey,
    created_response,
    page_response,
    parse_id,
)
from shopfloor.platform.pagination import DEFAULT_LIMIT, MAX_LIMIT
from shopfloor.sprockets.schemas import Sprocket, SprocketIn
from shopfloor.sprockets.service import SprocketService
from shopfloor.sprockets.wiring import sprocket_service

router = APIGatewayRouter()

Sprockets = Annotated[SprocketService, Depends(sprocket_service)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Sprockets per page.")]
Cursor = Annotated[str | None, Query(description="Opaque cursor from the previous page's Link header.")]
NOT_FOUND_RESPONSE: dict[int, OpenAPIResponse] = {404: {"description": "No such sprocket."}}


@router.get("/v1/sprockets", summary="List sprockets", tags=["sprockets"])
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
)
def create_sprocket(
    sprocket: SprocketIn, sprockets: Sprockets, idempotency_key: IdempotencyKey = None
) -> Response[Any]:
    created = sprockets.create(sprocket, idempotency_key)
    path = f"/v1/sprockets/{created.resource.id}"
    return created_response(router.current_event, path, created.resource.model_dump(), created.replayed)


@router.get("/v1/sprockets/<id>", summary="Get a sprocket", tags=["sprockets"], responses=NOT_FOUND_RESPONSE)
def get_sprocket(id: str, sprockets: Sprockets) -> Sprocket:
    sprocket = sprockets.get(parse_id(id))
    if sprocket is None:
        raise errors.NotFoundError()
    return sprocket


@router.put(
    "/v1/sprockets/<id>", summary="Replace a sprocket", tags=["sprockets"], responses=NOT_FOUND_RESPONSE
)
def replace_sprocket(id: str, sprocket: SprocketIn, sprockets: Sprockets) -> Sprocket:
    replaced = sprockets.replace(parse_id(id), sprocket)
    if replaced is None:
        raise errors.NotFoundError()
    return replaced
