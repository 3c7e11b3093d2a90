"""Lambda function `offers`: a product's cached offers, price history and price trend."""

from shopfloor.platform import coldstart

with coldstart.init():
    from shopfloor.catalog.offers.routes import router
    from shopfloor.catalog.wiring import offers_reader
    from shopfloor.platform.http import create_resolver
    from shopfloor.platform.observability import http_handler

    app = create_resolver()
    app.include_router(router)
    offers_reader()  # connect during the init phase, not the first request
    lambda_handler = http_handler(app)
