"""The `health` function: `GET /health`, the API answers and DynamoDB can be reached."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any, Protocol

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shopfloor.operations.wiring import database_probe
from shopfloor.platform.http import json_response

router = APIGatewayRouter()


class Probe(Protocol):
    def reachable(self) -> bool: ...


@router.get("/health", summary="Health of the API and its database", tags=["platform"])
def health(probe: Annotated[Probe, Depends(database_probe)]) -> Response[Any]:
    if probe.reachable():
        return json_response(HTTPStatus.OK, {"status": "healthy", "database": "connected"})
    return json_response(HTTPStatus.SERVICE_UNAVAILABLE, {"status": "unhealthy", "database": "disconnected"})
