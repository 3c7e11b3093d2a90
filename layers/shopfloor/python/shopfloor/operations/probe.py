"""Whether DynamoDB can be reached: one GetItem by key, without retries."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError
from pynamodb.exceptions import PynamoDBException

from shopfloor.platform.ids import SequenceModel

logger = Logger(child=True)

PROBE_KEY = "health-probe"


class DatabaseProbe:
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
