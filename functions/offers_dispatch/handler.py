"""Lambda function `offers-dispatch`: invoked by the schedule, queues one sync message per product."""

import gc

gc.disable()  # until the end of init: see shopfloor.platform.observability.end_init

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shopfloor.catalog.dispatch_dependencies import dispatcher
from shopfloor.platform.observability import end_init, logger, metrics

dispatch = dispatcher()
end_init()


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    return dispatch.run().model_dump()
