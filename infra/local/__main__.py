"""`python -m infra.local [dynamodb] [moto] [gateway]`: run the local cloud in the foreground."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from types import FrameType

from infra.local import dynamodb_local, moto_server
from infra.local.environment import worker_environment
from infra.local.errors import LocalCloudError
from infra.local.gateway import Gateway, GatewayServer
from infra.local.processes import Child, ensure_port_free
from infra.local.routing import Router
from infra.local.settings import LocalSettings
from infra.local.workers import WorkerPool, WorkerSpec
from infra.topology import FUNCTIONS

COMPONENTS = ("dynamodb", "moto", "gateway")
ALL_INTERFACES = ""


class _Stopping(BaseException):
    """Ctrl-C or SIGTERM: unwind, stopping every component on the way out."""


def main(argv: list[str] | None = None) -> int:
    components = _parse_components(argv)
    try:
        settings = LocalSettings.from_environ()
        _configure_logging(settings.log_level)
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
    children = [child for child, _ in starting]
    if "gateway" in components:
        _start_gateway(settings, stack)
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


def _start_gateway(settings: LocalSettings, stack: ExitStack) -> None:
    pools = {
        function.name: WorkerPool(
            WorkerSpec(
                function_name=function.name,
                environment=worker_environment(function, settings),
                code_dir=function.code_dir,
                timeout_seconds=function.timeout_seconds,
            ),
            settings.function_concurrency,
        )
        for function in FUNCTIONS
    }
    for pool in pools.values():
        stack.callback(pool.close)
    try:
        server = GatewayServer(settings.host, settings.api_port, Gateway(Router.from_functions(), pools))
    except OSError as error:
        raise LocalCloudError(f"the API cannot listen on {settings.api_url}: {error}") from error
    stack.callback(server.stop)
    server.start()


def _print_endpoints(settings: LocalSettings, components: set[str]) -> None:
    def where(url: str, component: str) -> str:
        return url if component in components else f"{url} (not started here)"

    print(
        "Shopfloor local cloud\n"
        f"  API             {where(settings.api_url, 'gateway')}\n"
        f"  docs            {where(settings.api_url + '/docs', 'gateway')}\n"
        f"  OpenAPI         {where(settings.api_url + '/openapi.json', 'gateway')}\n"
        f"  DynamoDB Local  {where(settings.dynamodb_url, 'dynamodb')}\n"
        f"  moto server     {where(settings.moto_url, 'moto')}\n"
        f"  data folder     {settings.data_dir}\n"
        f"  logs            {settings.data_dir / 'logs'} (DynamoDB Local, moto server)",
        flush=True,
    )


def _watch(children: list[Child]) -> None:
    """Wait for Ctrl-C or SIGTERM; a component that dies on its own stops the whole cloud."""
    while True:
        time.sleep(1)
        for child in children:
            child.check_running()


def _configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    local_logger = logging.getLogger("shopfloor.local")
    local_logger.addHandler(handler)
    local_logger.setLevel(level)
    local_logger.propagate = False


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
