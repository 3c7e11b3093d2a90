"""Lambda function `health`: `GET /health`."""

import gc

gc.disable()  # until the end of init: see shopfloor.platform.observability.end_init

from shopfloor.platform.health import database_probe, router
from shopfloor.platform.http import create_resolver
from shopfloor.platform.observability import http_handler

app = create_resolver()
app.include_router(router)
database_probe()

lambda_handler = http_handler(app)
