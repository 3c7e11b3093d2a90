"""The `health` function: `GET /health`, the API answers and DynamoDB can be reached."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any, Literal, Protocol

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel

from shopfloor.operations.wiring import database_probe
from shopfloor.platform.http import json_response
from shopfloor.platform.openapi import answers

router = APIGatewayHttpRouter()


class Probe(Protocol):
    def reachable(self) -> bool: ...


class Health(BaseModel):
    status: Literal["healthy", "unhealthy"]
    database: Literal["connected", "disconnected"]


@router.get(
    "/health",
    summary="Health of the API and its database",
    tags=["platform"],
    responses={
        **answers(200, Health, description="The API answers and DynamoDB can be reached."),
        503: {
            "description": "DynamoDB cannot be reached.",
            "content": {"application/json": {"model": Health}},
        },
    },
)
def health(probe: Annotated[Probe, Depends(database_probe)]) -> Response[Any]:
    if probe.reachable():
        return json_response(HTTPStatus.OK, {"status": "healthy", "database": "connected"})
    return json_response(HTTPStatus.SERVICE_UNAVAILABLE, {"status": "unhealthy", "database": "disconnected"})
