"""Lambda function `docs`: the merged OpenAPI document and Swagger UI (assets from the package)."""

from typing import Any

from shopfloor.api import DESCRIPTION, ROUTERS, TITLE, VERSION
from shopfloor.platform.http import create_resolver
from shopfloor.platform.observability import http_handler

app = create_resolver()
for router in ROUTERS:
    app.include_router(router)
app.enable_swagger(path="/docs", title=TITLE, version=VERSION, description=DESCRIPTION)


@app.get("/openapi.json", include_in_schema=False)
def openapi_document() -> dict[str, Any]:
    return app.get_openapi_schema(title=TITLE, version=VERSION, description=DESCRIPTION).model_dump(
        mode="json", by_alias=True, exclude_none=True
    )


lambda_handler = http_handler(app)
