"""Lambda function `products`: the product catalogue's HTTP routes."""

import gc

gc.disable()  # until the end of init: see shopfloor.platform.observability.end_init

from shopfloor.catalog.dependencies import product_service
from shopfloor.catalog.routes import router
from shopfloor.platform.http import create_resolver
from shopfloor.platform.observability import http_handler

app = create_resolver()
app.include_router(router)
product_service()  # connect during the init phase, not the first request

lambda_handler = http_handler(app)
