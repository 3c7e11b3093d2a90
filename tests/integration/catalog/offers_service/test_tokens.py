"""The shared access token against the real tokens table in DynamoDB Local, under concurrency.

(Here and not under moto: moto applies a conditional write without a lock, so two threads can
both pass the same condition; DynamoDB and DynamoDB Local cannot.)
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from infra.dynamodb import local_table_names
from shopfloor.catalog.offers_service.tokens import SharedAccessToken, TokenModel
from shopfloor.platform.tables import bind
from tests.unit.catalog.offers_service.test_tokens import Clock, OffersAuth

pytestmark = pytest.mark.integration

CONTAINERS = 12


@pytest.mark.usefixtures("dynamodb_local")
def test_containers_racing_for_an_expired_token_request_only_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shopfloor.catalog.offers_service.tokens.TOKEN_NAME", f"race-{uuid.uuid4()}")
    model = bind(TokenModel, local_table_names()["tokens"])
    auth, clock = OffersAuth(), Clock()
    containers = [
        SharedAccessToken(model, auth, clock=clock, sleep=lambda _: None) for _ in range(CONTAINERS)
    ]

    with ThreadPoolExecutor(max_workers=CONTAINERS) as pool:
        tokens = set(pool.map(lambda each: each.get(), containers))

    assert auth.requests == 1
    assert tokens == {"token-1"}
