"""Building the offers service client and the cleanup of deleted products from settings."""

from __future__ import annotations

import json
import threading
import uuid
from functools import cached_property
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from shopfloor.catalog.settings import OffersServiceSettings
from shopfloor.platform import aws
from shopfloor.platform.tables import bind

if TYPE_CHECKING:
    from shopfloor.catalog.offers_client import OffersServiceClient

logger = Logger(child=True)


def offers_client(settings: OffersServiceSettings) -> OffersServiceClient:
    # Imported here: the products function only needs the HTTP client (requests) for POST.
    from shopfloor.catalog.offers_client import OffersServiceClient, new_session, request_access_token
    from shopfloor.catalog.tokens import SharedAccessToken, TokenModel

    session = new_session()
    refresh_token = _SecretValue(settings.refresh_token_secret_id)

    def request_token() -> str:
        return request_access_token(session, settings.offers_service_url, refresh_token.value)

    tokens = SharedAccessToken(bind(TokenModel, settings.tokens_table_name), request_token)
    return OffersServiceClient(settings.offers_service_url, tokens, session)


class _SecretValue:
    """Read from Secrets Manager the first time a new access token is needed, then kept."""

    def __init__(self, secret_id: str) -> None:
        self._secret_id = secret_id
        self._lock = threading.Lock()
        self._value: str | None = None

    @property
    def value(self) -> str:
        with self._lock:
            if self._value is None:
                self._value = aws.secret_string(self._secret_id)
            return self._value


class LazyRegistrar:
    """Registers products; the HTTP client is built on the first registration, since only
    `POST /products` registers and the function's other routes never need it."""

    def __init__(self, settings: OffersServiceSettings) -> None:
        self._settings = settings

    @cached_property
    def _client(self) -> OffersServiceClient:
        return offers_client(self._settings)

    def register(self, product_uuid: uuid.UUID, name: str, description: str | None) -> None:
        self._client.register(product_uuid, name, description)


class QueuedCleanup:
    """A deleted product's offers and price history are removed by the offers worker, which
    retries and dead-letters like every sync message."""

    def __init__(self, queue_url: str) -> None:
        self._queue_url = queue_url

    def product_deleted(self, product_id: int) -> None:
        body = json.dumps({"product_id": product_id, "purge": True})
        try:
            aws.client("sqs").send_message(QueueUrl=self._queue_url, MessageBody=body)
        except (BotoCoreError, ClientError):
            # The product is gone either way: its leftovers are unreachable through the API and
            # its history expires by TTL. Logged as an error so that it is seen and can be purged.
            logger.exception(
                "Could not queue the purge of a deleted product", extra={"product_id": product_id}
            )
