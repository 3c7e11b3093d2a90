"""Lambda function `offers-worker`: consumes offers-sync messages and reconciles each product's offers.

Returns the messages that failed (ReportBatchItemFailures): only those are retried, and after the
queue's receive count they go to its dead-letter queue.
"""

import gc

gc.disable()  # until the end of init: see shopfloor.platform.observability.end_init

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shopfloor.catalog.worker_dependencies import worker
from shopfloor.platform.observability import end_init, logger, metrics

sync = worker()
end_init()


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return sync.handle(event)
