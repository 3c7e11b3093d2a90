"""`GET /health`: the API answers, and DynamoDB can be reached."""

from __future__ import annotations

from functools import cache
from http import HTTPStatus
from typing import Annotated, Any, Protocol

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import Field

from shopfloor.platform.http import json_response
from shopfloor.platform.settings import Settings

router = APIGatewayRouter()


class HealthSettings(Settings):
    ids_table_name: str = Field(alias="IDS_TABLE_NAME", min_length=1)


class Probe(Protocol):
    def reachable(self) -> bool: ...


@cache
def database_probe() -> Probe:
    # Imported here, not above: the docs function imports this router only to describe it and
    # must not load pynamodb and botocore. The health handler calls this during its init phase.
    from shopfloor.platform.ids import SequenceModel
    from shopfloor.platform.probe import DatabaseProbe
    from shopfloor.platform.tables import bind

    settings = HealthSettings.from_environ()
    return DatabaseProbe(bind(SequenceModel, settings.ids_table_name, max_retry_attempts=0))


@router.get("/health", summary="Health of the API and its database", tags=["platform"])
def health(probe: Annotated[Probe, Depends(database_probe)]) -> Response[Any]:
    if probe.reachable():
        return json_response(HTTPStatus.OK, {"status": "healthy", "database": "connected"})
    return json_response(HTTPStatus.SERVICE_UNAVAILABLE, {"status": "unhealthy", "database": "disconnected"})
