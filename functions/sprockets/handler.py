"""Lambda function `sprockets`: sprockets, created, read and replaced."""

import gc

gc.disable()  # until the end of init: see shopfloor.platform.observability.end_init

from shopfloor.factories.dependencies import sprocket_service
from shopfloor.factories.sprocket_routes import router
from shopfloor.platform.http import create_resolver
from shopfloor.platform.observability import http_handler

app = create_resolver()
app.include_router(router)
sprocket_service()  # connect during the init phase, not the first request

lambda_handler = http_handler(app)
