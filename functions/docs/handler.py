"""Lambda function `docs`: the merged OpenAPI document and Swagger UI (assets from the package)."""

from shopfloor.platform import coldstart

with coldstart.init():
    from shopfloor.operations.docs import docs_resolver
    from shopfloor.platform.observability import http_handler

    app = docs_resolver()
    lambda_handler = http_handler(app)
