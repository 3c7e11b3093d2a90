"""Lambda function `health`: `GET /health`."""

from shopfloor.platform import coldstart

with coldstart.init():
    from shopfloor.operations.health import router
    from shopfloor.operations.wiring import database_probe
    from shopfloor.platform.http import create_resolver
    from shopfloor.platform.observability import http_handler

    app = create_resolver()
    app.include_router(router)
    database_probe()  # connect during the init phase, not the first request
    lambda_handler = http_handler(app)
