"""Logging and metrics shared by every handler: JSON logs with the request's correlation id."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shopfloor.platform import bodies, errors

if TYPE_CHECKING:  # the event functions (worker, dispatcher, archiver) never load the HTTP resolver
    from shopfloor.platform.http import HttpResolver

# Routes that publish no business metric are normal; Powertools would warn on every such request.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger()
metrics = Metrics()

LambdaHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]
# A check of who calls a route, before anything else about the request: it raises a DomainError
# (401, 403) to refuse the caller.
Guard = Callable[[Mapping[str, Any]], None]


def http_handler(
    app: HttpResolver,
    body_limits: Mapping[str, int] | None = None,
    guards: Mapping[str, Guard] | None = None,
) -> LambdaHandler:
    """The Lambda entry point of an HTTP function: logging context, metrics, the route's guard (who
    may call it: `guards` by `<METHOD> <route path>`, so a caller the route refuses hears 403 whatever
    the body), the body's checks (platform/bodies.py: `body_limits` by route, else the default), the
    resolver."""
    limits = body_limits or {}
    route_guards = guards or {}

    def handle(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        guard = route_guards.get(bodies.route_key(event))
        if guard is not None:
            try:
                guard(event)
            except errors.DomainError as refused:
                logger.info("Caller refused", extra={"status": refused.status})
                return _error_result(refused.status, refused.answer)
        try:
            event = bodies.checked(event, limits)
        except bodies.BodyRefusedError as problem:
            logger.info("Request body refused", extra={"status": problem.status, "reason": problem.message})
            return _error_result(problem.status, problem.message)
        response: dict[str, Any] = app.resolve(event, context)
        return response

    with_metrics = metrics.log_metrics(capture_cold_start_metric=True)(handle)
    instrumented: LambdaHandler = logger.inject_lambda_context(
        correlation_id_path=correlation_paths.API_GATEWAY_HTTP
    )(with_metrics)
    return instrumented


def _error_result(status: int, message: errors.Message) -> dict[str, Any]:
    """An answer in response format 2.0 and the error envelope, for what never reaches the resolver."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(errors.envelope(message), separators=(",", ":")),
        "isBase64Encoded": False,
    }
