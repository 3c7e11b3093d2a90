"""Logging and metrics shared by every handler: JSON logs with the request's correlation id."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

if TYPE_CHECKING:  # the event functions (worker, dispatcher, archiver) never load the HTTP resolver
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver

# Routes that publish no business metric are normal; Powertools would warn on every such request.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger()
metrics = Metrics()

LambdaHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def http_handler(app: APIGatewayRestResolver) -> LambdaHandler:
    """The Lambda entry point of an HTTP function: logging context, metrics, then the resolver."""

    def handle(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        response: dict[str, Any] = app.resolve(event, context)
        return response

    with_metrics = metrics.log_metrics(capture_cold_start_metric=True)(handle)
    instrumented: LambdaHandler = logger.inject_lambda_context(
        correlation_id_path=correlation_paths.API_GATEWAY_REST
    )(with_metrics)
    return instrumented
