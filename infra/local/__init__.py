"""The local cloud behind `make run`: DynamoDB Local, moto server and a local API gateway that runs
every function of `infra.topology` in its own worker process, as Lambda would.

    python -m infra.local                    # everything, in the foreground; Ctrl-C stops it
    python -m infra.local gateway            # only some components: dynamodb, moto, gateway

Configuration (environment variables, read once):

    SHOPFLOOR_HOST                  127.0.0.1    where the API and moto listen, and everything is reached
    SHOPFLOOR_API_PORT              3000         the local API gateway
    SHOPFLOOR_DYNAMODB_PORT         8000         DynamoDB Local (it listens on every interface)
    SHOPFLOOR_MOTO_PORT             5000         moto server
    SHOPFLOOR_DATA_DIR              .local-data  DynamoDB Local's database and the components' logs
    SHOPFLOOR_LOG_LEVEL             INFO         the gateway's log and the functions' (POWERTOOLS_LOG_LEVEL)
    SHOPFLOOR_FUNCTION_CONCURRENCY  4            warm workers per function at most

A component started alone reaches the others at these ports. A port already in use, or no `java`,
is a one-line error and exit code 1. Once everything answers, a line starting with `ready` is
printed; `GET /health` answers 200 from then on.
"""

from __future__ import annotations

from infra.local.environment import function_environments
from infra.local.routing import Router

__all__ = ["function_environments", "served_routes"]


def served_routes() -> set[tuple[str, str]]:
    """Every (method, path template) the local gateway serves, e.g. ("GET", "/products/{id}")."""
    return Router.from_functions().routes()
