"""The `docs` function: the merged OpenAPI document at /openapi.json and Swagger UI at /docs, which
shows that very document (so the two never disagree), its assets from the Powertools package.

The document is made from the routes whenever the function's code is built, at synth and when the
local cloud starts (infra/openapi_document.py, by infra/build.py: build-time code, as it imports
every context), and read from the function's own folder; each answer puts the API's URL, as the
client called it, in its server and in the OAuth2 password flow's token URL.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

from aws_lambda_powertools import event_handler
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.swagger_ui.html import generate_swagger_html

from shopfloor.platform.http import HttpResolver, base_url, create_resolver
from shopfloor.platform.openapi import security_schemes

DOCUMENT_FILE: Final = "openapi.json"
_SWAGGER_ASSETS = Path(event_handler.__file__).parent / "openapi" / "swagger_ui"


def docs_resolver(document_path: Path) -> HttpResolver:
    """Serves the document at `document_path` (read once) and Swagger UI."""
    template: dict[str, Any] = json.loads(document_path.read_text(encoding="utf-8"))
    app = create_resolver()

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_json() -> dict[str, Any]:
        return served(template, base_url(app.current_event) or "/")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> Response[str]:
        document = served(template, base_url(app.current_event) or "/")
        return Response(status_code=200, content_type="text/html", body=swagger_page(document))

    return app


def served(template: dict[str, Any], server_url: str) -> dict[str, Any]:
    """The document with the API's own URL as its server and in its token URL (the template itself,
    read once, is shared, not copied: only these two entries differ)."""
    components = {**template.get("components", {}), "securitySchemes": security_schemes(server_url)}
    return {**template, "servers": [{"url": server_url}], "components": components}


def swagger_page(document: dict[str, Any]) -> str:
    spec = json.dumps(document).replace("</", "<\\/")
    script = (_SWAGGER_ASSETS / "swagger-ui-bundle.min.js").read_text(encoding="utf-8")
    style = (_SWAGGER_ASSETS / "swagger-ui.min.css").read_text(encoding="utf-8")
    return generate_swagger_html(spec, script, style, "", None, persist_authorization=False)
