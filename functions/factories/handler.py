"""Lambda function `factories`: factories' chart data by time range, and a chart of it (SVG)."""

from shopfloor.platform import coldstart

with coldstart.init():
    from shopfloor.factories.routes import BODY_LIMITS, router
    from shopfloor.factories.wiring import factory_service
    from shopfloor.platform.http import create_resolver
    from shopfloor.platform.observability import http_handler

    app = create_resolver()
    app.include_router(router)
    factory_service()  # connect during the init phase, not the first request
    lambda_handler = http_handler(app, BODY_LIMITS)
