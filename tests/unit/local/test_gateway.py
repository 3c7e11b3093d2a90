"""The local gateway in process, with functions that record their events: the HTTP API's own answers
(404, 401 without invoking the function, 500 for a failing function or a malformed result), the
JWT authorizer on signed-in routes only, the ANY routes to each path's owner, and no compression
of the API's answers."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, cast

import pytest

from infra.local.authorizer import Authorizer
from infra.local.events import HttpRequest, HttpResponse
from infra.local.gateway import Gateway
from infra.local.routing import Router
from infra.local.site import LocalSite
from infra.local.workers import FunctionError, WorkerPool
from infra.topology import FUNCTIONS, OPERATIONS_CONTEXT, Function, Route
from tests.unit.local.moto_pools import MotoPool, cognito_client, moto_in_process, shop_users_with_demo_users

UNAUTHORIZED = {"message": "Unauthorized"}
INTERNAL_ERROR = {"message": "Internal Server Error"}
LARGE = json.dumps([{"name": f"product {index}"} for index in range(200)])


class RecordingPool:
    """A function that answers `answer` (200 and `{}` unless given) and keeps the events it gets."""

    def __init__(self, answer: Callable[[dict[str, Any]], Any] | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self._answer = answer or (lambda event: {"statusCode": 200, "body": "{}"})

    def invoke(self, event: dict[str, Any], request_id: str) -> Any:
        self.events.append(event)
        return self._answer(event)


def failing(event: dict[str, Any]) -> Any:
    raise FunctionError("ValueError: boom")


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


def gateway(
    pools: Mapping[str, RecordingPool], authorizer: Authorizer, site: LocalSite | None = None
) -> Gateway:
    return Gateway(Router.from_functions(), cast(Mapping[str, WorkerPool], pools), authorizer, site)


def request(
    method: str, path: str, token: str | None = None, headers: list[tuple[str, str]] | None = None
) -> HttpRequest:
    authorization = [("Authorization", f"Bearer {token}")] if token else []
    return HttpRequest(
        method, path, [("Host", "127.0.0.1:3000"), *authorization, *(headers or [])], b"", "127.0.0.1", 3000
    )


def body(response: HttpResponse) -> Any:
    return json.loads(response.body)


def header(response: HttpResponse, name: str) -> str | None:
    found = [value for key, value in response.headers if key.lower() == name]
    return found[-1] if found else None


@pytest.mark.parametrize("path", ["/nope", "/products/1/nope", "/productsx", "/users/you", "/health/extra"])
def test_an_unknown_path_is_the_http_apis_404(
    shop: MotoPool, pools: dict[str, RecordingPool], path: str
) -> None:
    response, function = gateway(pools, shop.authorizer()).handle(request("GET", path))

    assert (response.status, response.body, function) == (404, b'{"message":"Not Found"}', None)
    assert header(response, "content-type") == "application/json"
    assert header(response, "apigw-requestid")
    assert all(not pool.events for pool in pools.values())


@pytest.mark.parametrize(("method", "path"), [("GET", "/users/me"), ("DELETE", "/menu/products/7")])
def test_a_signed_in_route_without_a_valid_token_is_401_and_never_reaches_the_function(
    shop: MotoPool, pools: dict[str, RecordingPool], method: str, path: str
) -> None:
    for token in (None, "garbage", shop.id_token() + "x"):
        response, function = gateway(pools, shop.authorizer()).handle(request(method, path, token))

        assert (response.status, body(response), function) == (401, UNAUTHORIZED, None)
        assert header(response, "content-type") == "application/json"
        assert header(response, "www-authenticate") == "Bearer"
    assert all(not pool.events for pool in pools.values())


def test_a_valid_token_reaches_the_function_with_its_claims(
    shop: MotoPool, pools: dict[str, RecordingPool]
) -> None:
    response, function = gateway(pools, shop.authorizer()).handle(
        request("GET", "/users/me", shop.id_token())
    )

    assert (response.status, function) == (200, "auth")
    (event,) = pools["auth"].events
    assert event["routeKey"] == "GET /users/me"
    jwt = event["requestContext"]["authorizer"]["jwt"]
    assert jwt["claims"]["email"] == "customer@example.com"
    assert jwt["claims"]["cognito:groups"] == "[customers]"
    assert jwt["scopes"] is None
    assert event["headers"]["authorization"].startswith("Bearer ")


def test_a_public_route_is_not_authorized_even_with_a_bad_token(
    shop: MotoPool, pools: dict[str, RecordingPool]
) -> None:
    for token in (None, "garbage"):
        response, function = gateway(pools, shop.authorizer()).handle(request("GET", "/menu", token))
        assert (response.status, function) == (200, "menu")
    assert [event["routeKey"] for event in pools["menu"].events] == ["GET /menu", "GET /menu"]
    assert all("authorizer" not in event["requestContext"] for event in pools["menu"].events)


@pytest.mark.parametrize(
    ("request_line", "owner", "route_key"),
    [
        ("OPTIONS /users/me", "auth", "ANY /users/me"),
        ("PUT /orders/1/status", "orders", "ANY /orders/{id}/status"),
        ("POST /products/7/", "products", "ANY /products/{id}"),
        ("TRACE /health", "health", "ANY /health"),
    ],
)
def test_a_method_no_route_declares_goes_to_the_paths_owner_without_the_authorizer(
    shop: MotoPool, pools: dict[str, RecordingPool], request_line: str, owner: str, route_key: str
) -> None:
    """The owner answers the 405 with Allow itself; the ANY routes are public."""
    method, path = request_line.split()
    pools[owner] = RecordingPool(lambda event: {"statusCode": 405, "headers": {"Allow": "GET"}, "body": "{}"})

    response, function = gateway(pools, shop.authorizer()).handle(request(method, path))

    assert (response.status, header(response, "allow"), function) == (405, "GET", owner)
    (event,) = pools[owner].events
    assert event["routeKey"] == route_key
    assert event["requestContext"]["http"]["method"] == method
    assert "authorizer" not in event["requestContext"]


@pytest.mark.parametrize(
    "answer",
    [failing, lambda event: {"statusCode": "200"}, lambda event: {"statusCode": 200, "body": 1}],
    ids=["raises", "statusCode not a number", "body not a string"],
)
def test_a_failing_function_or_a_malformed_response_is_the_http_apis_500(
    shop: MotoPool, pools: dict[str, RecordingPool], answer: Callable[[dict[str, Any]], Any]
) -> None:
    pools["health"] = RecordingPool(answer)

    response, function = gateway(pools, shop.authorizer()).handle(request("GET", "/health"))

    assert (response.status, body(response), function) == (500, INTERNAL_ERROR, "health")
    assert header(response, "content-type") == "application/json"


def test_a_result_without_a_status_code_is_200_json(shop: MotoPool, pools: dict[str, RecordingPool]) -> None:
    pools["health"] = RecordingPool(lambda event: {"status": "healthy"})

    response, _ = gateway(pools, shop.authorizer()).handle(request("GET", "/health"))

    assert (response.status, body(response)) == (200, {"status": "healthy"})
    assert header(response, "content-type") == "application/json"


def test_keys_that_cannot_be_fetched_are_a_500(shop: MotoPool, pools: dict[str, RecordingPool]) -> None:
    def refused(url: str) -> dict[str, Any]:
        raise OSError("connection refused")

    served = gateway(pools, Authorizer([shop.trusted], fetch=refused))
    response, function = served.handle(request("GET", "/users/me", shop.id_token()))

    assert (response.status, body(response), function) == (500, INTERNAL_ERROR, None)
    assert not pools["auth"].events


def test_the_apis_answers_are_sent_as_the_function_wrote_them(
    shop: MotoPool, pools: dict[str, RecordingPool]
) -> None:
    """The functions compress; the HTTP API does not, even a large answer to a client that takes gzip."""
    pools["products"] = RecordingPool(lambda event: {"statusCode": 200, "body": LARGE})

    response, _ = gateway(pools, shop.authorizer()).handle(
        request("GET", "/products", headers=[("Accept-Encoding", "gzip")])
    )

    assert response.body == LARGE.encode()
    assert header(response, "content-encoding") is None
    assert pools["products"].events[0]["headers"]["accept-encoding"] == "gzip"


def test_the_pages_are_compressed_as_cloudfront_compresses_them(
    shop: MotoPool, pools: dict[str, RecordingPool], tmp_path: Path
) -> None:
    (tmp_path / "index.html").write_text(LARGE)
    site = LocalSite(root=tmp_path)

    response, function = gateway(pools, shop.authorizer(), site).handle(
        request("GET", "/app/", headers=[("Accept-Encoding", "gzip")])
    )

    assert (response.status, function) == (200, None)
    assert header(response, "content-encoding") == "gzip"
    assert gzip.decompress(response.body) == LARGE.encode()


def test_signed_in_routes_need_an_authorizer() -> None:
    signed_in = Function(
        name="fake", description="-", context=OPERATIONS_CONTEXT, routes=(Route("GET", "/x", signed_in=True),)
    )

    with pytest.raises(ValueError, match="authorizer"):
        Gateway(Router.from_functions((signed_in,)), {})
    assert Gateway(
        Router.from_functions(
            (
                Function(
                    name="fake", description="-", context=OPERATIONS_CONTEXT, routes=(Route("GET", "/x"),)
                ),
            )
        ),
        {},
    )
