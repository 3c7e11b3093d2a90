"""The `docs` function: every route of the API in one resolver, for the merged OpenAPI document and
Swagger UI (which shows that very document, so /docs and /openapi.json never disagree)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aws_lambda_powertools import event_handler
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.models import Server
from aws_lambda_powertools.event_handler.openapi.swagger_ui.html import generate_swagger_html
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shopfloor.catalog.offers.routes import router as offers
from shopfloor.catalog.products.routes import router as products
from shopfloor.factories.routes import router as factories
from shopfloor.operations.health import router as health
from shopfloor.platform.http import base_url, create_resolver
from shopfloor.platform.openapi import security_schemes
from shopfloor.shop.auth.routes import router as auth
from shopfloor.shop.menu.routes import router as menu
from shopfloor.shop.orders.routes import router as orders
from shopfloor.sprockets.routes import router as sprockets
from shopfloor.warranties.routes import router as warranties

ROUTERS: tuple[APIGatewayRouter, ...] = (
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


_SWAGGER_ASSETS = Path(event_handler.__file__).parent / "openapi" / "swagger_ui"


def docs_resolver() -> APIGatewayRestResolver:
    """A resolver that knows every route (to document them), and serves the document at
    /openapi.json and Swagger UI at /docs (its assets from the package: no CDN)."""
    app = create_resolver()
    for router in ROUTERS:
        app.include_router(router)

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_json() -> dict[str, Any]:
        return openapi_document(app, base_url(app.current_event) or "/")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> Response[str]:
        document = openapi_document(app, base_url(app.current_event) or "/")
        return Response(status_code=200, content_type="text/html", body=swagger_page(document))

    return app


def openapi_document(app: APIGatewayRestResolver, server_url: str = "/") -> dict[str, Any]:
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


def swagger_page(document: dict[str, Any]) -> str:
    spec = json.dumps(document).replace("</", "<\\/")
    script = (_SWAGGER_ASSETS / "swagger-ui-bundle.min.js").read_text(encoding="utf-8")
    style = (_SWAGGER_ASSETS / "swagger-ui.min.css").read_text(encoding="utf-8")
    return generate_swagger_html(spec, script, style, "", None, persist_authorization=False)


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
