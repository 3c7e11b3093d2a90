"""Lambda function `order-events`: puts an event on the shopfloor bus for every order placed, moved
or cancelled, from the orders table's stream.

Answers the partial batch response (shopfloor.platform.batch): Lambda retries from the first record
that failed, bisects a batch whose every record fails, and after its retries sends the batch's
position to the on-failure queue.
"""

from typing import Any

from shopfloor.platform import coldstart

with coldstart.init():
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from shopfloor.platform.observability import logger, metrics
    from shopfloor.shop.wiring import publisher

    events = publisher()

    @logger.inject_lambda_context
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return events.handle(event)
