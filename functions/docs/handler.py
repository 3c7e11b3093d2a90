"""Lambda function `docs`: the merged OpenAPI document and Swagger UI (assets from the package)."""

from pathlib import Path

from shopfloor.platform import coldstart

with coldstart.init():
    from shopfloor.operations.docs import DOCUMENT_FILE, docs_resolver
    from shopfloor.platform.observability import http_handler

    app = docs_resolver(Path(__file__).parent / DOCUMENT_FILE)
    lambda_handler = http_handler(app)
