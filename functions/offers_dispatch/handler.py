"""Lambda function `offers-dispatch`: invoked by the schedule, queues one sync message per product."""

from typing import Any

from shopfloor.platform import coldstart

with coldstart.init():
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from shopfloor.catalog.wiring import dispatcher
    from shopfloor.platform.observability import logger, metrics

    dispatch = dispatcher()

    @logger.inject_lambda_context
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
        return dispatch.run().model_dump()
