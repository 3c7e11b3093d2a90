"""Matching requests against the API's routes, as the HTTP API selects a route.

The routes are the topology's (`GET /products/{id}`), plus `ANY <path>` for every path of
`infra.topology.path_owners()`, integrated with the path's owner: a method no route declares on a
known path reaches the owner, which answers 405 with `Allow` itself. Of the routes that match a
request, the most specific serves it: a route without a greedy parameter over one with, then the
declared method over `ANY`, then, segment by segment from the left, a literal over a parameter
over a greedy one. A path with a trailing slash matches the route without it. Path parameters are
URL-decoded, the path itself is kept as sent. No route: the HTTP API's own 404 (the gateway's).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from functools import cached_property
from urllib.parse import unquote

from infra.topology import ANY_METHOD, FUNCTIONS, Function, path_owners


class SegmentKind(IntEnum):
    """The kinds of a path segment, the most specific first."""

    LITERAL = 0
    PARAMETER = 1
    GREEDY = 2


@dataclass(frozen=True)
class Segment:
    kind: SegmentKind
    text: str  # the literal, or the parameter's name

    @classmethod
    def parse(cls, raw: str) -> Segment:
        if raw.startswith("{") and raw.endswith("+}"):
            return cls(SegmentKind.GREEDY, raw[1:-2])
        if raw.startswith("{") and raw.endswith("}"):
            return cls(SegmentKind.PARAMETER, raw[1:-1])
        return cls(SegmentKind.LITERAL, raw)


@dataclass(frozen=True)
class ApiRoute:
    """One route of the HTTP API: its method (or ANY), its path template and its integration."""

    method: str
    template: str
    function: Function
    # Behind the JWT authorizer (Route.signed_in); an ANY route is public.
    signed_in: bool = False

    @property
    def key(self) -> str:
        """The route key, as the HTTP API names it and puts it in the event: `GET /products/{id}`."""
        return f"{self.method} {self.template}"

    @cached_property
    def segments(self) -> tuple[Segment, ...]:
        return tuple(Segment.parse(raw) for raw in self.template.split("/")[1:] if raw)

    @cached_property
    def rank(self) -> tuple[int, int, tuple[int, ...]]:
        """Smaller is more specific."""
        kinds = tuple(segment.kind for segment in self.segments)
        return (int(SegmentKind.GREEDY in kinds), int(self.method == ANY_METHOD), kinds)

    def parameters(self, parts: list[str]) -> dict[str, str] | None:
        """The path parameters when `parts` (the path's segments) fall under this route's path."""
        values: dict[str, str] = {}
        segments = self.segments
        for index, segment in enumerate(segments):
            if segment.kind == SegmentKind.GREEDY:
                rest = parts[index:]
                if not rest or not all(rest):
                    return None
                values[segment.text] = unquote("/".join(rest))
                return values
            if index >= len(parts) or not parts[index]:
                return None
            if segment.kind == SegmentKind.LITERAL and unquote(parts[index]) != segment.text:
                return None
            if segment.kind == SegmentKind.PARAMETER:
                values[segment.text] = unquote(parts[index])
        return values if len(parts) == len(segments) else None


@dataclass(frozen=True)
class RouteMatch:
    route: ApiRoute
    path_parameters: dict[str, str] | None


class Router:
    def __init__(self, routes: Iterable[ApiRoute]) -> None:
        self._routes = tuple(routes)
        keys = [route.key for route in self._routes]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            raise ValueError(f"declared twice: {', '.join(duplicates)}")

    @classmethod
    def from_functions(cls, functions: Iterable[Function] = FUNCTIONS) -> Router:
        """The functions' routes, and `ANY <path>` for each of their paths, integrated with the
        path's one owner (`infra.topology.path_owners`, which refuses a path with two)."""
        functions = tuple(functions)
        declared = [
            ApiRoute(route.method, route.resource_path, function, route.signed_in)
            for function in functions
            for route in function.routes
        ]
        any_routes = [ApiRoute(ANY_METHOD, path, owner) for path, owner in path_owners(functions).items()]
        return cls([*declared, *any_routes])

    def routes(self) -> set[tuple[str, str]]:
        """Every (method, path template) this router serves, the ANY routes included."""
        return {(route.method, route.template) for route in self._routes}

    def signed_in_routes(self) -> set[tuple[str, str]]:
        """Every (method, path template) behind the JWT authorizer."""
        return {(route.method, route.template) for route in self._routes if route.signed_in}

    def match(self, method: str, path: str) -> RouteMatch | None:
        """The route that serves `method` on `path` (as sent, maybe with a trailing slash)."""
        if len(path) > 1 and path.endswith("/"):
            path = path[:-1]
        parts = path.split("/")[1:] if path != "/" else []
        best: RouteMatch | None = None
        for route in self._routes:
            if route.method not in (method, ANY_METHOD):
                continue
            parameters = route.parameters(parts)
            if parameters is not None and (best is None or route.rank < best.route.rank):
                best = RouteMatch(route, parameters or None)
        return best
