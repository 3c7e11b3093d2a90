"""Matching request paths against the API's resources, as API Gateway does.

Resources are the route templates of `infra.topology` (`/products/{id}`, `/files/{key+}`). A literal
segment wins over a parameter and a parameter over a greedy one; a trailing slash matches the
same resource. Path parameters are URL-decoded, the path itself is kept as sent. A resource also
knows which of its methods are signed in (behind the user pool's authorizer).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from urllib.parse import unquote

from infra.topology import FUNCTIONS, Function

_LITERAL, _PARAMETER, _GREEDY = 0, 1, 2


@dataclass(frozen=True)
class Segment:
    kind: int
    text: str  # the literal, or the parameter's name

    @classmethod
    def parse(cls, raw: str) -> Segment:
        if raw.startswith("{") and raw.endswith("+}"):
            return cls(_GREEDY, raw[1:-2])
        if raw.startswith("{") and raw.endswith("}"):
            return cls(_PARAMETER, raw[1:-1])
        return cls(_LITERAL, raw)


@dataclass(frozen=True)
class Resource:
    """One API Gateway resource: a path template and the function behind each of its methods."""

    template: str
    segments: tuple[Segment, ...]
    methods: Mapping[str, Function]
    # The methods behind the user pool's authorizer (Route.signed_in).
    signed_in: frozenset[str] = frozenset()

    @property
    def allowed(self) -> str:
        return ", ".join(sorted(self.methods))

    def parameters(self, parts: list[str]) -> dict[str, str] | None:
        """The path parameters when `parts` (the path's segments) fall under this resource."""
        values: dict[str, str] = {}
        for index, segment in enumerate(self.segments):
            if segment.kind == _GREEDY:
                rest = parts[index:]
                if not rest or not all(rest):
                    return None
                values[segment.text] = unquote("/".join(rest))
                return values
            if index >= len(parts) or not parts[index]:
                return None
            if segment.kind == _LITERAL and unquote(parts[index]) != segment.text:
                return None
            if segment.kind == _PARAMETER:
                values[segment.text] = unquote(parts[index])
        return values if len(parts) == len(self.segments) else None

    @property
    def rank(self) -> tuple[int, ...]:
        return tuple(segment.kind for segment in self.segments)


@dataclass(frozen=True)
class RouteMatch:
    resource: Resource
    path_parameters: dict[str, str] | None


class Router:
    def __init__(self, resources: Iterable[Resource]) -> None:
        self._resources = tuple(resources)

    @classmethod
    def from_functions(cls, functions: Iterable[Function] = FUNCTIONS) -> Router:
        owners: dict[str, dict[str, Function]] = {}
        signed_in: dict[str, set[str]] = {}
        for function in functions:
            for route in function.routes:
                methods = owners.setdefault(route.resource_path, {})
                if route.method in methods:
                    raise ValueError(
                        f"{route.method} {route.resource_path} is declared by both "
                        f"{methods[route.method].name} and {function.name}"
                    )
                methods[route.method] = function
                if route.signed_in:
                    signed_in.setdefault(route.resource_path, set()).add(route.method)
        return cls(
            Resource(
                template,
                _segments(template),
                MappingProxyType(methods),
                frozenset(signed_in.get(template, ())),
            )
            for template, methods in owners.items()
        )

    def routes(self) -> set[tuple[str, str]]:
        """Every (method, path template) this router serves."""
        return {(method, resource.template) for resource in self._resources for method in resource.methods}

    def signed_in_routes(self) -> set[tuple[str, str]]:
        """Every (method, path template) behind the user pool's authorizer."""
        return {(method, resource.template) for resource in self._resources for method in resource.signed_in}

    def match(self, path: str) -> RouteMatch | None:
        if len(path) > 1 and path.endswith("/"):
            path = path[:-1]
        parts = path.split("/")[1:] if path != "/" else []
        best: RouteMatch | None = None
        for resource in self._resources:
            parameters = resource.parameters(parts)
            if parameters is not None and (best is None or resource.rank < best.resource.rank):
                best = RouteMatch(resource, parameters or None)
        return best


def _segments(template: str) -> tuple[Segment, ...]:
    return tuple(Segment.parse(raw) for raw in template.split("/")[1:] if raw)
