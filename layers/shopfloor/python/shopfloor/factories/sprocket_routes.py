"""HTTP routes of sprockets: parse, call the service, shape the response."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shopfloor.factories.dependencies import sprocket_service
from shopfloor.factories.http import IdempotencyKey, created_response, replay_or_create
from shopfloor.factories.schemas import Sprocket, SprocketIn
from shopfloor.factories.service import SprocketService
from shopfloor.platform import errors
from shopfloor.platform.http import json_response, next_page_headers, parse_id
from shopfloor.platform.pagination import DEFAULT_LIMIT, MAX_LIMIT

router = APIGatewayRouter()

Service = Annotated[SprocketService, Depends(sprocket_service)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Sprockets per page.")]
Cursor = Annotated[str | None, Query(description="Opaque cursor from the previous page's Link header.")]
NOT_FOUND_RESPONSE: dict[int, OpenAPIResponse] = {404: {"description": "No such sprocket."}}


@router.get("/v1/sprockets", summary="List sprockets", tags=["sprockets"])
def list_sprockets(service: Service, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Response[Any]:
    page = service.list(limit, cursor)
    body = {"sprockets": [sprocket.model_dump() for sprocket in page.items]}
    headers = next_page_headers(router.current_event, page.next_cursor, {"limit": str(limit)})
    return json_response(HTTPStatus.OK, body, headers)


@router.post(
    "/v1/sprockets",
    summary="Create a sprocket",
    description="With an `Idempotency-Key`, a repeat of the request answers the first response (with "
    "`Idempotent-Replayed: true`) and creates nothing.",
    tags=["sprockets"],
)
def create_sprocket(
    sprocket: SprocketIn, service: Service, idempotency_key: IdempotencyKey = None
) -> Response[Any]:
    created = replay_or_create(lambda key: service.create(sprocket, key), idempotency_key)
    path = f"/v1/sprockets/{created.resource.id}"
    return created_response(router.current_event, path, created.resource.model_dump(), created.replayed)


@router.get("/v1/sprockets/<id>", summary="Get a sprocket", tags=["sprockets"], responses=NOT_FOUND_RESPONSE)
def get_sprocket(id: str, service: Service) -> Sprocket:
    sprocket = service.get(parse_id(id))
    if sprocket is None:
        raise errors.not_found()
    return sprocket


@router.put(
    "/v1/sprockets/<id>", summary="Replace a sprocket", tags=["sprockets"], responses=NOT_FOUND_RESPONSE
)
def replace_sprocket(id: str, sprocket: SprocketIn, service: Service) -> Sprocket:
    replaced = service.replace(parse_id(id), sprocket)
    if replaced is None:
        raise errors.not_found()
    return replaced
