"""The demo seeds, loaded as the local cloud starts (`infra.seed`, through the gateway in process).

They are loaded before the gateway listens, so by the time `GET /health` first answers, factory 1
and sprocket 1 exist. Loading is idempotent: on every later start the API answers what the first
load created, and creates nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from infra.local.events import HttpRequest
from infra.local.gateway import Gateway
from infra.local.settings import LocalSettings
from infra.seed import DEMO_SEED_FILES, Answer, SeedError, load

logger = logging.getLogger("shopfloor.local.seeds")


class GatewayApi:
    """The API as the local gateway answers it, without a socket."""

    def __init__(self, gateway: Gateway, settings: LocalSettings) -> None:
        self._gateway = gateway
        self._settings = settings

    def post(self, path: str, body: dict[str, Any], headers: Mapping[str, str]) -> Answer:
        request = HttpRequest(
            method="POST",
            target=path,
            headers=[
                ("Host", f"{self._settings.host}:{self._settings.api_port}"),
                ("Content-Type", "application/json"),
                *headers.items(),
            ],
            body=json.dumps(body).encode(),
            source_ip="127.0.0.1",
            server_port=self._settings.api_port,
        )
        response, _ = self._gateway.handle(request)
        try:
            parsed: Any = json.loads(response.body)
        except ValueError:
            parsed = response.body.decode(errors="replace")
        return Answer(response.status, parsed, {name.lower(): value for name, value in response.headers})


def load_demo_seeds(gateway: Gateway, settings: LocalSettings) -> None:
    """Load the demo seeds; a failure is logged, and the cloud starts all the same."""
    try:
        results = load(GatewayApi(gateway, settings), DEMO_SEED_FILES)
    except SeedError as error:
        logger.warning("the demo seeds were not loaded: %s", error)
        return
    for loaded in results:
        logger.info("demo seeds: %s", loaded.describe())
