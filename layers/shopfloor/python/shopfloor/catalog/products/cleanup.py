"""What a deleted product leaves behind, purged by the offers worker through the offers-sync queue."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from shopfloor.catalog.sync.messages import purge_message
from shopfloor.platform import aws

logger = Logger(child=True)


class QueuedCleanup:
    """A deleted product's offers and price history are removed by the offers worker, which
    retries and dead-letters like every sync message."""

    def __init__(self, queue_url: str) -> None:
        self._queue_url = queue_url

    def product_deleted(self, product_id: int) -> None:
        try:
            aws.client("sqs").send_message(QueueUrl=self._queue_url, MessageBody=purge_message(product_id))
        except (BotoCoreError, ClientError):
            # The product is gone either way: its leftovers are unreachable through the API and
            # its history expires by TTL. Logged as an error so that it is seen and can be purged.
            logger.exception(
                "Could not queue the purge of a deleted product", extra={"product_id": product_id}
            )
