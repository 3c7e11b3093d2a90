"""`GET /health`: the API answers, and DynamoDB can be reached."""

from __future__ import annotations

from functools import cache
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from botocore.exceptions import BotoCoreError
from pydantic import Field
from pynamodb.exceptions import PynamoDBException

from shopfloor.platform.http import json_response
from shopfloor.platform.ids import SequenceModel
from shopfloor.platform.settings import Settings
from shopfloor.platform.tables import bind

logger = Logger(child=True)
router = APIGatewayRouter()

PROBE_KEY = "health-probe"


class HealthSettings(Settings):
    ids_table_name: str = Field(alias="IDS_TABLE_NAME", min_length=1)


class DatabaseProbe:
    """One GetItem by key, without retries: reachable or not, answered quickly."""

    def __init__(self, model: type[SequenceModel]) -> None:
        self._model = model

    def reachable(self) -> bool:
        try:
            self._model.get(PROBE_KEY)
        except self._model.DoesNotExist:
            return True
        except (PynamoDBException, BotoCoreError) as error:
            logger.warning("DynamoDB is unreachable", extra={"error": str(error)})
            return False
        return True


@cache
def database_probe() -> DatabaseProbe:
    settings = HealthSettings.from_environ()
    return DatabaseProbe(bind(SequenceModel, settings.ids_table_name, max_retry_attempts=0))


@router.get("/health", summary="Health of the API and its database", tags=["platform"])
def health(probe: Annotated[DatabaseProbe, Depends(database_probe)]) -> Response[Any]:
    if probe.reachable():
        return json_response(HTTPStatus.OK, {"status": "healthy", "database": "connected"})
    return json_response(HTTPStatus.SERVICE_UNAVAILABLE, {"status": "unhealthy", "database": "disconnected"})
