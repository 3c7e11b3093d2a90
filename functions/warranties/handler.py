"""Lambda function `warranties`: warranties for items sold in stores, and the plans that price them."""

from shopfloor.platform import coldstart

with coldstart.init():
    from shopfloor.platform.http import create_resolver
    from shopfloor.platform.observability import http_handler
    from shopfloor.warranties.routes import BODY_LIMITS, router
    from shopfloor.warranties.wiring import warranty_service

    app = create_resolver()
    app.include_router(router)
    warranty_service()  # connect during the init phase, not the first request
    lambda_handler = http_handler(app, BODY_LIMITS)
