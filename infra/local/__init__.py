"""The local cloud behind `make run`: DynamoDB Local, moto server (with the topology's queues,
secrets, buckets and user pool, and the demo users; its event bus, whose archive and rules moto
keeps and delivers to the local queues itself; its e-mail senders, verified in moto's SES, which
records every e-mail sent), the local offers service, a local API gateway that plays the HTTP API
(its routes, payload format 2.0, and its JWT authorizer on signed-in routes: infra.local.gateway)
and runs every function of `infra.topology` in its own worker process, as Lambda would, and the
event sources (schedules, SQS pollers, table stream pollers).

    python -m infra.local                    # everything, in the foreground; Ctrl-C stops it
    python -m infra.local gateway            # only some: dynamodb, moto, offers, gateway, events
    python -m infra.local.sync               # `make sync`: one offers sync cycle now, prints changes
    python -m infra.local.mail               # `make mail`: the e-mails sent (--to ADDRESS, --show ID)

Configuration (environment variables, read once):

    SHOPFLOOR_HOST                  127.0.0.1    where the API and moto listen, and everything is reached
    SHOPFLOOR_API_PORT              3000         the local API gateway
    SHOPFLOOR_DYNAMODB_PORT         8000         DynamoDB Local (it listens on every interface)
    SHOPFLOOR_MOTO_PORT             5000         moto server
    SHOPFLOOR_DATA_DIR              .local-data  DynamoDB Local's database and the components' logs
    SHOPFLOOR_LOG_LEVEL             INFO         the gateway's log and the functions' (POWERTOOLS_LOG_LEVEL)
    SHOPFLOOR_LOG_FORMAT            text         each function's JSON log line as one readable line; json: raw
    SHOPFLOOR_FUNCTION_CONCURRENCY  4            warm workers per function at most (a queue's
                                                 consumer: at least the queue's max_concurrency)
    SHOPFLOOR_OFFERS_PORT           8080         the local offers service
    SHOPFLOOR_OFFERS_REFRESH_TOKEN  local-refresh-token  its refresh token (also put in the secret)
    SHOPFLOOR_OFFERS_TICK_SECONDS   60           offers change every this many seconds; 0 = never
    SHOPFLOOR_OFFERS_LATENCY_MS     0            added to every answer of the offers service
    SHOPFLOOR_OFFERS_TOKEN_TTL_SECONDS 300       life of an access token
    SHOPFLOOR_OFFERS_SEED           0            seed of the offers' evolution
    SHOPFLOOR_OFFERS_FAILURE        (none)       5xx, timeout, malformed, schema, 401 or down
    SHOPFLOOR_OFFERS_FAILURE_RATE   1.0          share of calls that fail when a failure is set
    SHOPFLOOR_SCHEDULE_SECONDS      (schedule)   every scheduled function fires this often; 0 = never
    SHOPFLOOR_VISIBILITY_TIMEOUT_SECONDS (queue) every queue's visibility timeout

A component started alone reaches the others at these ports. A port already in use, or no `java`,
is a one-line error and exit code 1. Once everything answers, a line starting with `ready` is
printed; `GET /health` answers 200 from then on. The demo seeds (seeds/, `make seed`: sprockets,
factories and the shop's menu) are loaded through the functions before the gateway listens,
idempotently (infra.local.seeding). The demo users, made on every start (infra.local.users):
manager@example.com / Manager-test-1 (managers), customer@example.com / Customer-test-1 (customers).
"""

from __future__ import annotations

from infra.local.authorizer import issuer_and_audience
from infra.local.environment import function_environments
from infra.local.events import STAGE
from infra.local.routing import Router
from infra.topology import USER_POOLS

__all__ = ["STAGE", "function_environments", "jwt_authorizers", "served_routes", "signed_in_routes"]


def served_routes() -> set[tuple[str, str]]:
    """Every route (method, path template) the local gateway serves, e.g. ("GET", "/products/{id}"),
    and ("ANY", path) for every path of the API: the HTTP API's route keys."""
    return Router.from_functions().routes()


def signed_in_routes() -> set[tuple[str, str]]:
    """Every route (method, path template) on which the local gateway plays the JWT authorizer."""
    return Router.from_functions().signed_in_routes()


def jwt_authorizers() -> dict[str, tuple[str, str]]:
    """Each user pool's name -> the (issuer, audience) the local JWT authorizer accepts for it:
    the pool's issuer URL and its app client's id, as moto holds them."""
    return {pool.name: issuer_and_audience(pool) for pool in USER_POOLS}
