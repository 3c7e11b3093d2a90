"""Lambda function `offers-worker`: consumes offers-sync messages and reconciles each product's offers.

Answers the partial batch response (shopfloor.platform.batch): only the messages that failed are
retried, and after the queue's receive count they go to its dead-letter queue.
"""

from typing import Any

from shopfloor.platform import coldstart

with coldstart.init():
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from shopfloor.catalog.wiring import worker
    from shopfloor.platform.observability import logger, metrics

    sync = worker()

    @logger.inject_lambda_context
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return sync.handle(event)
