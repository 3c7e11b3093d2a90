"""The local gateway plays the Cognito authorizer on signed-in routes only: 401 in the envelope without
invoking the function, or the claims in the event; OPTIONS, 404 and 405 as before."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, cast

import pytest

from infra.local.authorizer import Authorizer
from infra.local.events import HttpRequest, HttpResponse
from infra.local.gateway import Gateway
from infra.local.routing import Router
from infra.local.workers import WorkerPool
from infra.topology import FUNCTIONS, Function, Route
from tests.unit.local.moto_pools import MotoPool, cognito_client, moto_in_process, shop_users_with_demo_users


class RecordingPool:
    """A function that answers 200 and keeps the events it gets."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def invoke(self, event: dict[str, Any], request_id: str) -> Any:
        self.events.append(event)
        return {"statusCode": 200, "body": "{}"}


@pytest.fixture(scope="module")
def shop() -> Iterator[MotoPool]:
    for _ in moto_in_process():
        yield shop_users_with_demo_users(cognito_client())


@pytest.fixture
def aws(shop: MotoPool) -> None:
    """The module's moto, not the tables and queues every other unit test gets."""


@pytest.fixture
def pools() -> dict[str, RecordingPool]:
    return {function.name: RecordingPool() for function in FUNCTIONS}


def gateway(pools: Mapping[str, RecordingPool], authorizer: Authorizer) -> Gateway:
    return Gateway(Router.from_functions(), cast(Mapping[str, WorkerPool], pools), authorizer)


def request(method: str, path: str, token: str | None = None) -> HttpRequest:
    headers = [("Host", "127.0.0.1:3000")] + ([("Authorization", f"Bearer {token}")] if token else [])
    return HttpRequest(method, path, headers, b"", "127.0.0.1", 3000)


def body(response: HttpResponse) -> Any:
    return json.loads(response.body)


def test_every_signed_in_route_of_the_topology_is_behind_the_authorizer() -> None:
    declared = {
        (route.method, route.resource_path) for f in FUNCTIONS for route in f.routes if route.signed_in
    }

    router = Router.from_functions()

    assert router.signed_in_routes() == declared
    assert router.signed_in_routes() <= router.routes()
    assert ("GET", "/users/me") in declared
    assert ("POST", "/menu/products") in declared
    assert ("GET", "/menu") not in declared
    assert ("POST", "/auth/token") not in declared


@pytest.mark.parametrize(("method", "path"), [("GET", "/users/me"), ("DELETE", "/menu/products/7")])
def test_a_signed_in_route_without_a_valid_token_is_401_and_never_reaches_the_function(
    shop: MotoPool, pools: dict[str, RecordingPool], method: str, path: str
) -> None:
    for token in (None, "garbage", shop.id_token() + "x"):
        response, function = gateway(pools, shop.authorizer()).handle(request(method, path, token))

        assert response.status == 401
        assert body(response) == {"message": "Unauthorized."}
        assert ("Content-Type", "application/json") in response.headers
        assert function is None
    assert all(not pool.events for pool in pools.values())


def test_a_valid_token_reaches_the_function_with_its_claims(
    shop: MotoPool, pools: dict[str, RecordingPool]
) -> None:
    response, function = gateway(pools, shop.authorizer()).handle(
        request("GET", "/users/me", shop.id_token())
    )

    assert (response.status, function) == (200, "auth")
    (event,) = pools["auth"].events
    claims = event["requestContext"]["authorizer"]["claims"]
    assert claims["email"] == "customer@example.com"
    assert claims["cognito:groups"] == "customers"
    assert event["headers"]["Authorization"].startswith("Bearer ")


def test_a_public_route_is_not_authorized_even_with_a_bad_token(
    shop: MotoPool, pools: dict[str, RecordingPool]
) -> None:
    for token in (None, "garbage"):
        response, function = gateway(pools, shop.authorizer()).handle(request("GET", "/menu", token))
        assert (response.status, function) == (200, "menu")
    assert all("authorizer" not in event["requestContext"] for event in pools["menu"].events)


def test_options_404_and_405_are_answered_before_the_authorizer(
    shop: MotoPool, pools: dict[str, RecordingPool]
) -> None:
    served = gateway(pools, shop.authorizer())

    options, _ = served.handle(request("OPTIONS", "/users/me"))
    put, _ = served.handle(request("PUT", "/orders/1/status"))
    unknown, _ = served.handle(request("GET", "/users/you"))

    assert (options.status, dict(options.headers)["Allow"]) == (405, "GET")
    assert (put.status, dict(put.headers)["Allow"]) == (405, "PATCH")
    assert unknown.status == 404


def test_keys_that_cannot_be_fetched_are_a_500(shop: MotoPool, pools: dict[str, RecordingPool]) -> None:
    unreachable = type(shop.trusted)(
        shop.pool_id, shop.client_id, shop.trusted.issuer, "http://127.0.0.1:9/jwks.json"
    )

    def refused(url: str) -> dict[str, Any]:
        raise OSError("connection refused")

    served = gateway(pools, Authorizer([unreachable], fetch=refused))
    response, function = served.handle(request("GET", "/users/me", shop.id_token()))

    assert (response.status, body(response), function) == (500, {"message": "Internal server error."}, None)


def test_signed_in_routes_need_an_authorizer() -> None:
    signed_in = Function(name="fake", description="-", routes=(Route("GET", "/x", signed_in=True),))

    with pytest.raises(ValueError, match="authorizer"):
        Gateway(Router.from_functions((signed_in,)), {})
    assert Gateway(
        Router.from_functions((Function(name="fake", description="-", routes=(Route("GET", "/x"),)),)), {}
    )
