"""Lambda function `warranties`: warranties for items sold in stores, and the plans that price them."""

import gc

gc.disable()  # until the end of init: see shopfloor.platform.observability.end_init

from shopfloor.platform.http import create_resolver
from shopfloor.platform.observability import http_handler
from shopfloor.warranties.dependencies import warranties
from shopfloor.warranties.routes import router

app = create_resolver()
app.include_router(router)
warranties()  # connect during the init phase, not the first request

lambda_handler = http_handler(app)
