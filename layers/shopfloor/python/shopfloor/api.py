"""Every route of the API, for the merged OpenAPI document."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shopfloor.catalog.routes import router as products
from shopfloor.platform.health import router as health

ROUTERS: tuple[APIGatewayRouter, ...] = (products, health)
TITLE = "Shopfloor API"
VERSION = "1.0.0"
DESCRIPTION = (
    'One API for four commerce back ends. Errors are `{"message": str}`, or '
    '`{"message": [str]}` for validation (422). Lists are paged with `limit` and an RFC 8288 '
    '`Link: <...>; rel="next"` header while more remain.'
)
