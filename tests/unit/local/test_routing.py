"""The local gateway picks a route as the HTTP API does: the topology's routes plus `ANY <path>` for
each path, integrated with its owner; the most specific route serves a request."""

from __future__ import annotations

import pytest

from infra.local.routing import RouteMatch, Router
from infra.topology import ANY_METHOD, FUNCTIONS, OPERATIONS_CONTEXT, Function, Route, all_routes, path_owners


@pytest.fixture
def aws() -> None:
    """No moto: routing touches no AWS service."""


FILES = Function(
    name="files",
    description="-",
    context=OPERATIONS_CONTEXT,
    routes=(
        Route("GET", "/files/{key+}"),
        Route("GET", "/files/{key}/meta"),
        Route("GET", "/files/latest"),
        Route("PUT", "/files/{name}"),
    ),
)
OTHER = Function(
    name="other",
    description="-",
    context=OPERATIONS_CONTEXT,
    routes=(Route("GET", "/other", signed_in=True),),
)


def matched(router: Router, method: str, path: str) -> RouteMatch:
    match = router.match(method, path)
    assert match is not None, (method, path)
    return match


def test_the_routes_are_the_topologys_and_any_for_each_path() -> None:
    router = Router.from_functions()

    declared = {(route.method, route.resource_path) for route, _ in all_routes()}
    any_routes = {(ANY_METHOD, path) for path in path_owners()}
    assert router.routes() == declared | any_routes
    assert ("GET", "/products/{id}") in router.routes()
    assert ("ANY", "/products/{id}") in router.routes()


def test_the_any_route_of_a_path_reaches_its_owner() -> None:
    router = Router.from_functions()

    for path, owner in path_owners().items():
        template = path.replace("{id}", "1").replace("{vid}", "2")
        match = matched(router, "TRACE", template)
        assert (match.route.key, match.route.function.name) == (f"ANY {path}", owner.name)


def test_the_signed_in_routes_are_the_topologys_and_no_any_route_is_signed_in() -> None:
    signed_in = {
        (route.method, route.resource_path)
        for function in FUNCTIONS
        for route in function.routes
        if route.signed_in
    }

    router = Router.from_functions()

    assert router.signed_in_routes() == signed_in
    assert ("GET", "/users/me") in signed_in
    assert ("GET", "/menu") not in signed_in
    assert not any(method == ANY_METHOD for method, _ in router.signed_in_routes())


def test_the_declared_method_wins_over_any() -> None:
    router = Router.from_functions()

    get = matched(router, "GET", "/products/7")
    post = matched(router, "POST", "/products/7")

    assert (get.route.key, get.path_parameters) == ("GET /products/{id}", {"id": "7"})
    assert (post.route.key, post.path_parameters) == ("ANY /products/{id}", {"id": "7"})
    assert post.route.function.name == "products"


def test_a_literal_wins_over_a_parameter_and_a_parameter_over_a_greedy_one() -> None:
    router = Router.from_functions([FILES])

    assert matched(router, "GET", "/files/latest").route.key == "GET /files/latest"
    assert matched(router, "GET", "/files/a/meta").route.key == "GET /files/{key}/meta"
    greedy = matched(router, "GET", "/files/a/b/c.txt")
    assert (greedy.route.key, greedy.path_parameters) == ("GET /files/{key+}", {"key": "a/b/c.txt"})


def test_a_route_without_a_greedy_parameter_wins_even_with_any() -> None:
    """The HTTP API's first rule: a full match before a greedy one, whatever the methods (as a
    REST API's `/files/{name}` resource took `/files/x` from `/files/{key+}`)."""
    router = Router.from_functions([FILES])

    assert matched(router, "GET", "/files/x").route.key == "ANY /files/{name}"
    assert matched(router, "GET", "/files/x/y").route.key == "GET /files/{key+}"
    assert matched(router, "DELETE", "/files/x/y").route.key == "ANY /files/{key+}"


def test_the_declared_method_wins_before_the_path_is_compared() -> None:
    """Between two full matches, an exact method beats ANY, however literal the ANY route's path."""
    router = Router.from_functions([FILES])

    assert matched(router, "PUT", "/files/latest").route.key == "PUT /files/{name}"
    assert matched(router, "POST", "/files/latest").route.key == "ANY /files/latest"


def test_a_trailing_slash_matches_the_same_route() -> None:
    router = Router.from_functions()

    assert matched(router, "GET", "/products/").route.key == "GET /products"
    assert matched(router, "GET", "/products/7/").path_parameters == {"id": "7"}


def test_path_parameters_are_decoded_and_literals_compared_decoded() -> None:
    router = Router.from_functions([FILES])

    assert matched(router, "PUT", "/files/a%20b").path_parameters == {"name": "a b"}
    assert matched(router, "GET", "/files/lat%65st").route.key == "GET /files/latest"
    assert matched(router, "GET", "/files/a%2Fb/meta").path_parameters == {"key": "a/b"}


@pytest.mark.parametrize(
    "path",
    ["/", "/nope", "/products/1/nope", "/productsx", "/health/extra", "/products//offers", "//products"],
)
def test_an_unknown_path_matches_no_route(path: str) -> None:
    assert Router.from_functions().match("GET", path) is None


def test_a_greedy_parameter_needs_a_segment() -> None:
    router = Router.from_functions(
        [
            Function(
                name="f", description="-", context=OPERATIONS_CONTEXT, routes=(Route("GET", "/f/{rest+}"),)
            )
        ]
    )

    assert router.match("GET", "/f") is None
    assert router.match("GET", "/f/a//b") is None


def test_a_path_served_by_two_functions_is_refused() -> None:
    """Its ANY route could reach only one of them."""
    with pytest.raises(ValueError, match="/other is served by both other and again"):
        Router.from_functions(
            [
                OTHER,
                Function(
                    name="again",
                    description="-",
                    context=OPERATIONS_CONTEXT,
                    routes=(Route("POST", "/other"),),
                ),
            ]
        )


def test_a_route_declared_twice_is_refused() -> None:
    twice = Function(
        name="f",
        description="-",
        context=OPERATIONS_CONTEXT,
        routes=(Route("GET", "/f"), Route("GET", "/f/")),
    )

    with pytest.raises(ValueError, match="GET /f"):
        Router.from_functions([twice])
