"""Lambda function `orders`: orders placed by customers and moved through their status flow by managers."""

from shopfloor.platform import coldstart

with coldstart.init():
    from shopfloor.platform.http import create_resolver
    from shopfloor.platform.observability import http_handler
    from shopfloor.shop.orders.routes import BODY_LIMITS, GUARDS, router
    from shopfloor.shop.wiring import order_service

    app = create_resolver()
    app.include_router(router)
    order_service()  # connect during the init phase, not the first request
    lambda_handler = http_handler(app, BODY_LIMITS, GUARDS)
