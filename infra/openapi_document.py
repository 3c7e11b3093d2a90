"""The merged OpenAPI document of every route of the API, made from the routes themselves.

Build-time code, outside every layer: it imports every context, and nothing that runs in Lambda
may (a change to one context's code would change every context's code). infra/build.py writes the
document into the docs function's code whenever that is built (at synth, and when the local cloud
starts), so it is never stale, and the function serves it (so its cold start pays for neither the
routes nor the document: shopfloor/operations/docs.py). Import it with the layer's python/ on
sys.path (infra/openapi.py).
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler.openapi.models import Server
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from shopfloor.catalog.offers.routes import router as offers
from shopfloor.catalog.products.routes import router as products
from shopfloor.factories.routes import router as factories
from shopfloor.operations.health import router as health
from shopfloor.platform.http import HttpResolver, create_resolver
from shopfloor.platform.openapi import security_schemes
from shopfloor.shop.auth.routes import router as auth
from shopfloor.shop.menu.routes import router as menu
from shopfloor.shop.orders.routes import router as orders
from shopfloor.sprockets.routes import router as sprockets
from shopfloor.warranties.routes import router as warranties

ROUTERS: tuple[APIGatewayHttpRouter, ...] = (
    products,
    offers,
    warranties,
    auth,
    menu,
    orders,
    factories,
    sprockets,
    health,
)
TITLE = "Shopfloor API"
VERSION = "1.0.0"
DESCRIPTION = (
    'One API for four commerce back ends. Errors are `{"message": str}`, or '
    '`{"message": [str]}` for validation (422). Lists are paged with `limit` and an RFC 8288 '
    '`Link: <...>; rel="next"` header while more remain.'
)


def routes_resolver() -> HttpResolver:
    """A resolver that knows every route of the API, to document them."""
    app = create_resolver()
    for router in ROUTERS:
        app.include_router(router)
    return app


def openapi_document(app: HttpResolver, server_url: str = "/") -> dict[str, Any]:
    """The OpenAPI 3 document of every route, with the API's own URL as its server; signed-in
    operations name the OAuth2 password flow, whose token URL is the API's own POST /auth/token."""
    schema = app.get_openapi_schema(
        title=TITLE,
        version=VERSION,
        description=DESCRIPTION,
        servers=[Server(url=server_url)],
        security_schemes=security_schemes(server_url),
    )
    document: dict[str, Any] = schema.model_dump(mode="json", by_alias=True, exclude_none=True)
    return _form_routes_read_json(_only_what_is_answered(document))


_FORM = "application/x-www-form-urlencoded"


def _form_routes_read_json(document: dict[str, Any]) -> dict[str, Any]:
    """A route that reads a form reads the same fields as JSON (the resolver parses either)."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            if _FORM in content:
                content.setdefault("application/json", content[_FORM])
    return document


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
