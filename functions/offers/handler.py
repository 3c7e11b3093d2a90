"""Lambda function `offers`: a product's cached offers, price history and price trend."""

import gc

gc.disable()  # until the end of init: see shopfloor.platform.observability.end_init

from shopfloor.catalog.offers_dependencies import offers_reader
from shopfloor.catalog.offers_routes import router
from shopfloor.platform.http import create_resolver
from shopfloor.platform.observability import http_handler

app = create_resolver()
app.include_router(router)
offers_reader()

lambda_handler = http_handler(app)
