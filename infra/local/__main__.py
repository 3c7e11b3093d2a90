"""`python -m infra.local [dynamodb] [moto] [offers] [gateway] [events]`: run the local cloud in the
foreground."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from types import FrameType

from infra.build import function_code_dir
from infra.local import dynamodb_local, logs, moto_server, resources, users
from infra.local.authorizer import Authorizer
from infra.local.environment import worker_environment
from infra.local.errors import LocalCloudError
from infra.local.event_sources import schedule_interval, start_event_sources
from infra.local.gateway import Gateway, GatewayServer
from infra.local.offers_service import OffersServer, service_from_settings
from infra.local.processes import Child, ensure_port_free
from infra.local.routing import Router
from infra.local.seeding import load_demo_seeds
from infra.local.settings import LocalSettings
from infra.local.site import LocalSite
from infra.local.streams import stream_pollers
from infra.local.workers import WorkerPool, WorkerSpec
from infra.topology import (
    EMAIL_SENDERS,
    EVENT_BUSES,
    FUNCTIONS,
    QUEUES_BY_NAME,
    ROOT,
    SITE,
    USER_POOLS,
    Function,
)

COMPONENTS = ("dynamodb", "moto", "offers", "gateway", "events")
ALL_INTERFACES = ""


class _Stopping(BaseException):
    """Ctrl-C or SIGTERM: unwind, stopping every component on the way out."""


def main(argv: list[str] | None = None) -> int:
    components = _parse_components(argv)
    try:
        settings = LocalSettings.from_environ()
        logs.configure_logging(settings.log_level, settings.log_format)
        _install_signal_handlers()
        with ExitStack() as stack:
            _run(settings, components, stack)
    except LocalCloudError as error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        return 1
    except _Stopping:
        print("stopped", flush=True)
    return 0


def _parse_components(argv: list[str] | None) -> set[str]:
    parser = argparse.ArgumentParser(prog="python -m infra.local", description=__doc__)
    # No `choices=`: argparse before 3.12 rejects an empty list against them (an empty nargs="*").
    parser.add_argument(
        "components", nargs="*", metavar="component", help=f"any of {', '.join(COMPONENTS)} (default: all)"
    )
    chosen: list[str] = parser.parse_args(argv).components
    unknown = sorted(set(chosen) - set(COMPONENTS))
    if unknown:
        parser.error(f"unknown component {', '.join(unknown)} (choose from {', '.join(COMPONENTS)})")
    return set(chosen or COMPONENTS)


def _run(settings: LocalSettings, components: set[str], stack: ExitStack) -> None:
    java_and_jar = None
    if "dynamodb" in components:
        java_and_jar = (dynamodb_local.find_java(), dynamodb_local.find_jar())
    _check_ports(settings, components)
    # Both start at once; each is then waited on until it answers.
    starting: list[tuple[Child, Callable[[Child, LocalSettings], None]]] = []
    if java_and_jar is not None:
        dynamodb = dynamodb_local.start(settings, *java_and_jar)
        starting.append((dynamodb, dynamodb_local.wait_and_create_tables))
        stack.callback(starting[-1][0].stop)
    if "moto" in components:
        starting.append((moto_server.start(settings), moto_server.wait))
        stack.callback(starting[-1][0].stop)
    for child, wait in starting:
        wait(child, settings)
    if "moto" in components:
        resources.provision(settings)
        users.create_demo_users(settings)
    children = [child for child, _ in starting]
    if "offers" in components:
        _start_offers_service(settings, stack)
    if components & {"gateway", "events"}:
        pools = _start_pools(settings, stack)
        if "gateway" in components:
            # Before the gateway listens: once GET /health answers, the demo seeds are there.
            gateway = Gateway(
                Router.from_functions(), pools, Authorizer.for_user_pools(settings), site=LocalSite()
            )
            load_demo_seeds(gateway, settings)
            _start_gateway(settings, gateway, stack)
        if "events" in components:
            for source in start_event_sources(FUNCTIONS, pools, settings):
                stack.callback(source.stop)
            for poller in stream_pollers(FUNCTIONS, dict(pools), settings):
                poller.start()
                stack.callback(poller.stop)
    _print_endpoints(settings, components)
    print("ready: the local cloud is running (Ctrl-C stops it)", flush=True)
    _watch(children)


def _check_ports(settings: LocalSettings, components: set[str]) -> None:
    if "gateway" in components:
        ensure_port_free(settings.host, settings.api_port, "API", "SHOPFLOOR_API_PORT")
    if "dynamodb" in components:
        ensure_port_free(ALL_INTERFACES, settings.dynamodb_port, "DynamoDB Local", "SHOPFLOOR_DYNAMODB_PORT")
    if "moto" in components:
        ensure_port_free(settings.host, settings.moto_port, "moto server", "SHOPFLOOR_MOTO_PORT")
    if "offers" in components:
        ensure_port_free(settings.host, settings.offers_port, "offers service", "SHOPFLOOR_OFFERS_PORT")


def _start_offers_service(settings: LocalSettings, stack: ExitStack) -> None:
    service = service_from_settings(settings, settings.data_dir / "offers-service" / "registrations.json")
    try:
        server = OffersServer(settings.host, settings.offers_port, service)
    except OSError as error:
        raise LocalCloudError(
            f"the offers service cannot listen on {settings.offers_url}: {error}"
        ) from error
    stack.callback(server.stop)
    server.start()


def _start_pools(settings: LocalSettings, stack: ExitStack) -> dict[str, WorkerPool]:
    """A worker pool per function, shared by the gateway and the event sources."""
    pools = {
        function.name: WorkerPool(
            WorkerSpec(
                function_name=function.name,
                environment=worker_environment(function, settings),
                code_dir=function_code_dir(function),
                timeout_seconds=function.timeout_seconds,
                log_format=settings.log_format,
            ),
            _concurrency(function, settings),
        )
        for function in FUNCTIONS
    }
    for pool in pools.values():
        stack.callback(pool.close)
    return pools


def _concurrency(function: Function, settings: LocalSettings) -> int:
    """Warm workers at most; a queue's consumer gets at least the queue's maximum concurrency."""
    if function.consumes is None:
        return settings.function_concurrency
    return max(settings.function_concurrency, QUEUES_BY_NAME[function.consumes].max_concurrency)


def _start_gateway(settings: LocalSettings, gateway: Gateway, stack: ExitStack) -> None:
    try:
        server = GatewayServer(settings.host, settings.api_port, gateway)
    except OSError as error:
        raise LocalCloudError(f"the API cannot listen on {settings.api_url}: {error}") from error
    stack.callback(server.stop)
    server.start()


def _print_endpoints(settings: LocalSettings, components: set[str]) -> None:
    def where(url: str, component: str) -> str:
        return url if component in components else f"{url} (not started here)"

    events = _describe_events(settings) if "events" in components else "(not started here)"

    print(
        "Shopfloor local cloud\n"
        f"  API             {where(settings.api_url, 'gateway')}\n"
        f"  pages           {where(settings.pages_url, 'gateway')}{_describe_pages()}\n"
        f"  docs            {where(settings.api_url + '/docs', 'gateway')}\n"
        f"  OpenAPI         {where(settings.api_url + '/openapi.json', 'gateway')}\n"
        f"  DynamoDB Local  {where(settings.dynamodb_url, 'dynamodb')}\n"
        f"  moto server     {where(settings.moto_url, 'moto')}\n"
        f"  offers service  {where(settings.offers_url, 'offers')}\n"
        f"  S3 buckets      {', '.join(f's3://{name}' for name in resources.bucket_names().values())} "
        "(moto server; list with `make archive`)\n"
        f"  user pools      {_describe_user_pools()}\n"
        f"  event buses     {_describe_event_buses()}\n"
        f"  e-mail          {_describe_email()}\n"
        f"  events          {events}\n"
        f"  data folder     {settings.data_dir}\n"
        f"  logs            {settings.data_dir / 'logs'} (DynamoDB Local, moto server)",
        flush=True,
    )


def _describe_pages() -> str:
    """Where the pages come from: read at each request, so an edit shows on the next reload."""
    folder = f"{SITE.source_dir.relative_to(ROOT)}/"
    if not SITE.source_dir.is_dir():
        return f" ({folder} does not exist: every page is 404 until it does)"
    return f" (from {folder}, read at each request)"


def _describe_user_pools() -> str:
    pools = ", ".join(
        f"{resources.user_pool_name(pool)} ({resources.user_pool_id(pool)})" for pool in USER_POOLS
    )
    demo = ", ".join(user.describe() for user in users.DEMO_USERS)
    return f"{pools} (moto server); demo users {demo}"


def _describe_event_buses() -> str:
    buses = []
    for bus in EVENT_BUSES:
        rules = "".join(
            f", rule {resources.rule_name(bus, rule)} -> {resources.queue_name(QUEUES_BY_NAME[rule.queue])}"
            for rule in bus.rules
        )
        archive = f"archive {resources.archive_name(bus)} ({bus.archive_retention_days} days)"
        buses.append(f"{resources.event_bus_name(bus)}{rules}, {archive}")
    return f"{'; '.join(buses)} (moto server)" if buses else "none"


def _describe_email() -> str:
    senders = ", ".join(resources.email_sender_address(sender) for sender in EMAIL_SENDERS)
    return f"moto server's SES, from {senders} (verified); list what was sent with `make mail`"


def _describe_events(settings: LocalSettings) -> str:
    parts = []
    for function in FUNCTIONS:
        interval = schedule_interval(function, settings)
        if function.schedule_minutes is not None:
            parts.append(f"{function.name} every {interval:g} s" if interval else f"{function.name} disabled")
        if function.consumes is not None:
            queue = QUEUES_BY_NAME[function.consumes]
            parts.append(f"{function.name} <- {resources.queue_name(queue)}")
        if function.streams_from is not None:
            parts.append(f"{function.name} <- stream of {function.streams_from.table}")
    return ", ".join(parts) or "none"


def _watch(children: list[Child]) -> None:
    """Wait for Ctrl-C or SIGTERM; a component that dies on its own stops the whole cloud."""
    while True:
        time.sleep(1)
        for child in children:
            child.check_running()


def _install_signal_handlers() -> None:
    def stop(signum: int, frame: FrameType | None) -> None:
        # Once stopping, further signals must not interrupt the cleanup that stops the children.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise _Stopping

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)


if __name__ == "__main__":
    sys.exit(main())
