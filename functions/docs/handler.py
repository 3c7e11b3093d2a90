"""Lambda function `docs`: the merged OpenAPI document and Swagger UI (assets from the package)."""

from typing import Any

from shopfloor.platform import coldstart

with coldstart.init():
    from shopfloor.operations.docs import docs_resolver, openapi_document
    from shopfloor.platform.http import base_url
    from shopfloor.platform.observability import http_handler

    app = docs_resolver()

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_json() -> dict[str, Any]:
        return openapi_document(app, base_url(app.current_event) or "/")

    lambda_handler = http_handler(app)
