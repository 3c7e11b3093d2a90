"""Lambda function `notifier`: e-mails customers about each event of their orders, and the shop
about each new one, through SES, exactly once per event and recipient.

Answers the partial batch response (shopfloor.platform.batch): only the messages that failed are
retried, and after the queue's receive count they go to its dead-letter queue.
"""

from typing import Any

from shopfloor.platform import coldstart

with coldstart.init():
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from shopfloor.platform.observability import logger, metrics
    from shopfloor.shop.wiring import notifier

    notify = notifier()

    @logger.inject_lambda_context
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return notify.handle(event, context.get_remaining_time_in_millis)
