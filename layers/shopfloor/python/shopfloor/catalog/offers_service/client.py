"""The external offers service (docs/architecture.md, The offers service), over one requests Session.

Calls carry `Bearer: <access token>`. The access token is shared by every container through
DynamoDB (offers_service/tokens.py). 5xx answers and timeouts are retried with jittered backoff by
urllib3; a 401 refreshes the token once and retries; anything else fails the call.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Protocol
from urllib.request import getproxies
from uuid import UUID

import requests
from pydantic import BaseModel, TypeAdapter, ValidationError
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from shopfloor.catalog.errors import NotRegisteredError, OffersServiceError

CONNECT_TIMEOUT_SECONDS = 2.0
READ_TIMEOUT_SECONDS = 5.0
RETRIES = 2
BACKOFF_FACTOR = 0.2
BACKOFF_JITTER = 0.2
RETRIED_STATUSES = (500, 502, 503, 504)


class RemoteOffer(BaseModel):
    id: UUID
    price: int
    items_in_stock: int


_OFFERS = TypeAdapter(list[RemoteOffer])
_TOKEN = TypeAdapter(dict[str, str])


class AccessTokens(Protocol):
    def get(self) -> str: ...

    def invalidate(self, token: str) -> None: ...


def new_session() -> requests.Session:
    retry = Retry(
        total=RETRIES,
        connect=RETRIES,
        read=RETRIES,
        status=RETRIES,
        backoff_factor=BACKOFF_FACTOR,
        backoff_jitter=BACKOFF_JITTER,
        status_forcelist=RETRIED_STATUSES,
        # Registering is idempotent here (409 counts as registered), so POST is retried too.
        allowed_methods=frozenset({"GET", "POST"}),
        raise_on_status=False,
    )
    session = requests.Session()
    # Proxies from the environment are read once here: with trust_env, requests scans the whole
    # environment on every request (measured about 1.7 ms of CPU per call in `make bench`).
    session.proxies = getproxies()
    session.trust_env = False
    adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=16)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class OffersServiceClient:
    def __init__(self, base_url: str, tokens: AccessTokens, session: requests.Session) -> None:
        self._base_url = base_url.rstrip("/")
        self._tokens = tokens
        self._session = session

    def register(self, product_uuid: UUID, name: str, description: str | None) -> None:
        body = {"id": str(product_uuid), "name": name, "description": description or ""}
        response = self._authorized(lambda headers: self._post("/api/v1/products/register", body, headers))
        if response.status_code not in (HTTPStatus.CREATED, HTTPStatus.CONFLICT):
            raise OffersServiceError(f"register answered {response.status_code}")

    def offers(self, product_uuid: UUID) -> list[RemoteOffer]:
        path = f"/api/v1/products/{product_uuid}/offers"
        response = self._authorized(lambda headers: self._get(path, headers))
        if response.status_code == HTTPStatus.NOT_FOUND:
            raise NotRegisteredError(f"{product_uuid} is not registered")
        if response.status_code != HTTPStatus.OK:
            raise OffersServiceError(f"offers answered {response.status_code}")
        try:
            return _OFFERS.validate_json(response.content)
        except ValidationError as error:
            raise OffersServiceError(
                f"offers answered malformed data: {error.error_count()} errors"
            ) from error

    def _authorized(self, call: Callable[[dict[str, str]], requests.Response]) -> requests.Response:
        token = self._tokens.get()
        response = call({"Bearer": token})
        if response.status_code == HTTPStatus.UNAUTHORIZED:
            self._tokens.invalidate(token)
            response = call({"Bearer": self._tokens.get()})
        if response.status_code == HTTPStatus.UNAUTHORIZED:
            raise OffersServiceError("the offers service refused a fresh access token")
        return response

    def _get(self, path: str, headers: dict[str, str]) -> requests.Response:
        return self._send("GET", path, headers)

    def _post(self, path: str, body: dict[str, str], headers: dict[str, str]) -> requests.Response:
        return self._send("POST", path, headers, body)

    def _send(
        self, method: str, path: str, headers: dict[str, str], body: dict[str, str] | None = None
    ) -> requests.Response:
        try:
            return self._session.request(
                method,
                f"{self._base_url}{path}",
                json=body,
                headers=headers,
                timeout=(CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS),
            )
        except requests.RequestException as error:
            raise OffersServiceError(f"{method} {path} failed: {type(error).__name__}") from error


def request_access_token(session: requests.Session, base_url: str, refresh_token: str) -> str:
    """One `POST /api/v1/auth`. The service refuses it while the previous token is still valid."""
    try:
        response = session.post(
            f"{base_url.rstrip('/')}/api/v1/auth",
            headers={"Bearer": refresh_token},
            timeout=(CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS),
        )
    except requests.RequestException as error:
        raise OffersServiceError(f"auth failed: {type(error).__name__}") from error
    if response.status_code == HTTPStatus.UNAUTHORIZED:
        raise OffersServiceError(
            "auth answered 401: the refresh token was refused; put the token the offers service "
            "issued into the offers-refresh-token secret"
        )
    if response.status_code != HTTPStatus.CREATED:
        raise OffersServiceError(f"auth answered {response.status_code}")
    try:
        return _TOKEN.validate_json(response.content)["access_token"]
    except (ValidationError, KeyError) as error:
        raise OffersServiceError("auth answered without an access token") from error
