"""Lambda function `auth`: sign-up, sign-in (OAuth2 password grant) and who am I, on the shop's user pool."""

from shopfloor.platform import coldstart

with coldstart.init():
    from shopfloor.platform.http import create_resolver
    from shopfloor.platform.observability import http_handler
    from shopfloor.shop.auth.routes import BODY_LIMITS, router
    from shopfloor.shop.wiring import accounts

    app = create_resolver()
    app.include_router(router)
    accounts()  # connect during the init phase, not the first request
    lambda_handler = http_handler(app, BODY_LIMITS)
