"""Lambda function `products`: the product catalogue's HTTP routes."""

from shopfloor.platform import coldstart

with coldstart.init():
    from shopfloor.catalog.products.routes import router
    from shopfloor.catalog.wiring import product_service
    from shopfloor.platform.http import create_resolver
    from shopfloor.platform.observability import http_handler

    app = create_resolver()
    app.include_router(router)
    product_service()  # connect during the init phase, not the first request
    lambda_handler = http_handler(app)
