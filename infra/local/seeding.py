"""The demo seeds, loaded as the local cloud starts (`infra.seed`, through the gateway in process).

They are loaded before the gateway listens, so by the time `GET /health` first answers, factory 1,
sprocket 1 and the demo menu exist. Loading is idempotent: on every later start the API answers what
the first load created (sprockets, factories), or the menu already lists what the file names
(products by name, variations by name within their product), and nothing is created. The menu is
loaded signed in as the demo manager, through the gateway's authorizer like any client's request;
a product a manager deleted since is on the menu again after the next start.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from infra.local.events import HttpRequest
from infra.local.gateway import Gateway
from infra.local.settings import LocalSettings
from infra.local.users import DEMO_MANAGER
from infra.seed import DEMO_MENU_FILE, DEMO_SEED_FILES, Answer, Manager, SeedError, load, load_menu

logger = logging.getLogger("shopfloor.local.seeds")


class GatewayApi:
    """The API as the local gateway answers it, without a socket."""

    def __init__(self, gateway: Gateway, settings: LocalSettings) -> None:
        self._gateway = gateway
        self._settings = settings

    def post(self, path: str, body: dict[str, Any], headers: Mapping[str, str]) -> Answer:
        return self._request("POST", path, json.dumps(body).encode(), headers)

    def get(self, path: str, headers: Mapping[str, str]) -> Answer:
        return self._request("GET", path, b"", headers)

    def _request(self, method: str, path: str, body: bytes, headers: Mapping[str, str]) -> Answer:
        content_type = [("Content-Type", "application/json")] if body else []
        request = HttpRequest(
            method=method,
            target=path,
            headers=[
                ("Host", f"{self._settings.host}:{self._settings.api_port}"),
                *content_type,
                *headers.items(),
            ],
            body=body,
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
    """Load the demo seeds, then the demo menu; a failure is logged, and the cloud starts all the same."""
    api = GatewayApi(gateway, settings)
    try:
        for loaded in load(api, DEMO_SEED_FILES):
            logger.info("demo seeds: %s", loaded.describe())
    except SeedError as error:
        logger.warning("the demo seeds were not loaded: %s", error)
    try:
        menu = load_menu(api, DEMO_MENU_FILE, Manager(DEMO_MANAGER.email, DEMO_MANAGER.password))
    except SeedError as error:
        logger.warning("the demo menu was not loaded: %s", error)
        return
    logger.info("demo seeds: %s", menu.describe())
