"""The `docs` function: every route of the API in one resolver, for the merged OpenAPI document and
Swagger UI."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.models import Server
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shopfloor.catalog.offers.routes import router as offers
from shopfloor.catalog.products.routes import router as products
from shopfloor.factories.routes import router as factories
from shopfloor.operations.health import router as health
from shopfloor.platform.http import create_resolver
from shopfloor.sprockets.routes import router as sprockets
from shopfloor.warranties.routes import router as warranties

ROUTERS: tuple[APIGatewayRouter, ...] = (products, offers, warranties, factories, sprockets, health)
TITLE = "Shopfloor API"
VERSION = "1.0.0"
DESCRIPTION = (
    'One API for four commerce back ends. Errors are `{"message": str}`, or '
    '`{"message": [str]}` for validation (422). Lists are paged with `limit` and an RFC 8288 '
    '`Link: <...>; rel="next"` header while more remain.'
)


def docs_resolver() -> APIGatewayRestResolver:
    """A resolver that knows every route (to document them) and serves Swagger UI at /docs."""
    app = create_resolver()
    for router in ROUTERS:
        app.include_router(router)
    app.enable_swagger(path="/docs", title=TITLE, version=VERSION, description=DESCRIPTION)
    return app


def openapi_document(app: APIGatewayRestResolver, server_url: str = "/") -> dict[str, Any]:
    """The OpenAPI 3 document of every route, with the API's own URL as its server."""
    schema = app.get_openapi_schema(
        title=TITLE, version=VERSION, description=DESCRIPTION, servers=[Server(url=server_url)]
    )
    document: dict[str, Any] = schema.model_dump(mode="json", by_alias=True, exclude_none=True)
    return _only_what_is_answered(document)


# Powertools documents a 422 `{"detail": [...]}` on every operation; the API answers its own 422 (in
# the error envelope) where a route declares it (platform/openapi.py), and no other.
_POWERTOOLS_ONLY = ("HTTPValidationError", "ValidationError", "ResponseValidationError")


def _only_what_is_answered(document: dict[str, Any]) -> dict[str, Any]:
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            for status in list(responses):
                if any(name in json.dumps(responses[status]) for name in _POWERTOOLS_ONLY):
                    del responses[status]
    schemas = document.get("components", {}).get("schemas", {})
    for name in _POWERTOOLS_ONLY:
        schemas.pop(name, None)
    return document
