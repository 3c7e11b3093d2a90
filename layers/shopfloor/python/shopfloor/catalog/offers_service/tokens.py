"""The offers service's access token, shared by every container through DynamoDB.

A token lasts 5 minutes and a new one can only be requested once the previous one has expired,
so containers must not each fetch their own. Whoever finds the token expired takes a short lease
with a conditional write, requests the new token and stores it; the others wait for it. The lease
is only granted while the stored token is still the expired one that container saw, so a slow
container cannot request a second token for the same expiry.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from aws_lambda_powertools import Logger
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.models import Model

from shopfloor.catalog.errors import OffersServiceError
from shopfloor.platform.tables import is_conditional_check_failure

logger = Logger(child=True)

TOKEN_NAME = "offers-service"
ACCESS_TOKEN_SECONDS = 300
# The service's clock and ours: a token is trusted until a moment after the service's expiry,
# so a refresh is never requested early; a call in that moment gets 401 and refreshes once.
EXPIRY_GRACE_SECONDS = 1.0
LEASE_SECONDS = 15.0
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.2


class TokenModel(Model):
    class Meta:
        table_name = "tokens"

    name = UnicodeAttribute(hash_key=True)
    access_token = UnicodeAttribute(null=True)
    expires_at = NumberAttribute(null=True)
    lease_owner = UnicodeAttribute(null=True)
    lease_until = NumberAttribute(null=True)


@dataclass(frozen=True)
class _Token:
    value: str
    expires_at: float


class SharedAccessToken:
    def __init__(
        self,
        model: type[TokenModel],
        request_token: Callable[[], str],
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._model = model
        self._request_token = request_token
        self._clock = clock
        self._sleep = sleep
        self._owner = uuid.uuid4().hex
        self._cached: _Token | None = None

    def get(self) -> str:
        if self._cached and self._cached.expires_at > self._clock():
            return self._cached.value
        deadline = self._clock() + WAIT_SECONDS
        while True:
            stored = self._read()
            if stored.access_token and (stored.expires_at or 0) > self._clock():
                self._cached = _Token(stored.access_token, float(stored.expires_at or 0))
                return self._cached.value
            if self._take_lease(stored.access_token):
                return self._refresh()
            if self._clock() > deadline:
                raise OffersServiceError("timed out waiting for another container's access token")
            self._sleep(POLL_SECONDS)

    def invalidate(self, token: str) -> None:
        """The service refused `token` (401): mark it expired, unless it was replaced already."""
        self._cached = None
        item = self._model(TOKEN_NAME)
        try:
            item.update(
                actions=[self._model.expires_at.set(0)],
                condition=self._model.access_token == token,
            )
        except UpdateError as error:
            if not is_conditional_check_failure(error):
                raise

    def _read(self) -> TokenModel:
        try:
            return self._model.get(TOKEN_NAME, consistent_read=True)
        except self._model.DoesNotExist:
            return self._model(TOKEN_NAME)

    def _take_lease(self, seen_token: str | None) -> bool:
        now = self._clock()
        still_seen = (
            self._model.access_token.does_not_exist()
            if seen_token is None
            else self._model.access_token == seen_token
        )
        lease_free = self._model.lease_until.does_not_exist() | (self._model.lease_until < now)
        try:
            self._model(TOKEN_NAME).update(
                actions=[
                    self._model.lease_owner.set(self._owner),
                    self._model.lease_until.set(now + LEASE_SECONDS),
                ],
                condition=still_seen & lease_free,
            )
        except UpdateError as error:
            if is_conditional_check_failure(error):
                return False
            raise
        return True

    def _refresh(self) -> str:
        try:
            value = self._request_token()
        except OffersServiceError:
            self._release_lease()
            raise
        received_at = self._clock()
        expires_at = _jwt_expiry(value) or received_at + ACCESS_TOKEN_SECONDS
        expires_at += EXPIRY_GRACE_SECONDS
        self._model(TOKEN_NAME).update(
            actions=[
                self._model.access_token.set(value),
                self._model.expires_at.set(expires_at),
                self._model.lease_owner.remove(),
                self._model.lease_until.remove(),
            ],
            condition=self._model.lease_owner == self._owner,
        )
        logger.info("Stored a new offers service access token", extra={"expires_at": expires_at})
        self._cached = _Token(value, expires_at)
        return value

    def _release_lease(self) -> None:
        try:
            self._model(TOKEN_NAME).update(
                actions=[self._model.lease_until.remove(), self._model.lease_owner.remove()],
                condition=self._model.lease_owner == self._owner,
            )
        except UpdateError as error:
            if not is_conditional_check_failure(error):
                raise


def _jwt_expiry(token: str) -> float | None:
    """The `exp` claim of a JWT, read without verifying it (only the service verifies it)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError):
        return None
    expiry = claims.get("exp") if isinstance(claims, dict) else None
    return float(expiry) if isinstance(expiry, int | float) else None
