"""Lambda function `sprockets`: sprockets, created, read, replaced and listed."""

from shopfloor.platform import coldstart

with coldstart.init():
    from shopfloor.platform.http import create_resolver
    from shopfloor.platform.observability import http_handler
    from shopfloor.sprockets.routes import router
    from shopfloor.sprockets.wiring import sprocket_service

    app = create_resolver()
    app.include_router(router)
    sprocket_service()  # connect during the init phase, not the first request
    lambda_handler = http_handler(app)
