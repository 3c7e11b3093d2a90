"""Lambda function `warranty-archiver`: copies each new warranty from the table's stream to S3.

Returns the records that failed (ReportBatchItemFailures); Lambda retries from the first of them,
bisects a failing batch, and after its retries sends the batch's position to the on-failure queue.
"""

import gc

gc.disable()  # until the end of init: see shopfloor.platform.observability.end_init

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shopfloor.platform.observability import end_init, logger, metrics
from shopfloor.warranties.archive import archiver

archive = archiver()
end_init()


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return archive.handle(event, context)
