"""The offers service's access token, shared through DynamoDB (moto) by many containers."""

from __future__ import annotations

import threading

import pytest

from shopfloor.catalog.errors import OffersServiceError
from shopfloor.catalog.offers_service.tokens import ACCESS_TOKEN_SECONDS, SharedAccessToken, TokenModel
from shopfloor.platform.tables import bind
from tests.unit.conftest import TABLE_NAMES


class OffersAuth:
    """Issues numbered tokens and counts the requests, like the service's auth endpoint."""

    def __init__(self) -> None:
        self.requests = 0
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            self.requests += 1
            return f"token-{self.requests}"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def model() -> type[TokenModel]:
    return bind(TokenModel, TABLE_NAMES["tokens"])


def container(model: type[TokenModel], auth: OffersAuth, clock: Clock) -> SharedAccessToken:
    return SharedAccessToken(model, auth, clock=clock, sleep=lambda _: None)


def test_the_first_container_requests_a_token_and_the_others_reuse_it(model: type[TokenModel]) -> None:
    auth, clock = OffersAuth(), Clock()

    tokens = {container(model, auth, clock).get() for _ in range(5)}

    assert tokens == {"token-1"}
    assert auth.requests == 1


def test_a_new_token_is_requested_once_the_old_one_expired(model: type[TokenModel]) -> None:
    auth, clock = OffersAuth(), Clock()
    first, second = container(model, auth, clock), container(model, auth, clock)
    assert first.get() == "token-1"

    clock.now += ACCESS_TOKEN_SECONDS - 10
    assert second.get() == "token-1"
    clock.now += 20

    assert {first.get(), second.get()} == {"token-2"}
    assert auth.requests == 2


def test_a_refused_token_is_replaced_once_for_every_container(model: type[TokenModel]) -> None:
    auth, clock = OffersAuth(), Clock()
    first, second = container(model, auth, clock), container(model, auth, clock)
    stale = first.get()

    first.invalidate(stale)
    second.invalidate(stale)

    assert {first.get(), second.get()} == {"token-2"}
    assert auth.requests == 2


def test_invalidating_a_token_already_replaced_keeps_the_new_one(model: type[TokenModel]) -> None:
    auth, clock = OffersAuth(), Clock()
    first, second = container(model, auth, clock), container(model, auth, clock)
    stale = first.get()
    first.invalidate(stale)
    assert first.get() == "token-2"

    second.invalidate(stale)

    assert second.get() == "token-2"
    assert auth.requests == 2


def test_a_failed_request_frees_the_lease_for_the_next_try(model: type[TokenModel]) -> None:
    clock = Clock()
    auth = OffersAuth()
    attempts = []

    def flaky() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise OffersServiceError("auth answered 503")
        return auth()

    failing = SharedAccessToken(model, flaky, clock=clock, sleep=lambda _: None)
    with pytest.raises(OffersServiceError):
        failing.get()

    assert failing.get() == "token-1"
