"""Lambda function `menu`: the shop's products and their variations; managers write, anyone reads."""

from shopfloor.platform import coldstart

with coldstart.init():
    from shopfloor.platform.http import create_resolver
    from shopfloor.platform.observability import http_handler
    from shopfloor.shop.menu.routes import BODY_LIMITS, GUARDS, router
    from shopfloor.shop.wiring import menu_service

    app = create_resolver()
    app.include_router(router)
    menu_service()  # connect during the init phase, not the first request
    lambda_handler = http_handler(app, BODY_LIMITS, GUARDS)
