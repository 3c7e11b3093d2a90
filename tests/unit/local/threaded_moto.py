"""moto server in a thread of the test process, on a free port, as the local cloud runs it (its id
strategies): for unit tests of what reaches moto over HTTP, as the local cloud does (provisioning,
`make mail`), in a few milliseconds instead of a process's second.

It shares the process's moto backends with `mock_aws`: a module that uses it replaces the `aws`
fixture every other unit test gets (tests/unit/conftest.py) with its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from moto.server import ThreadedMotoServer

from infra.local.moto_server import ID_STRATEGIES
from infra.local.settings import LocalSettings

HOST = "127.0.0.1"


def threaded_moto(data_dir: Path) -> Iterator[LocalSettings]:
    """For a module-scoped fixture: the settings of a local cloud whose moto server runs here."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
            monkeypatch.delenv(name, raising=False)
        for name, value in ID_STRATEGIES.items():
            monkeypatch.setenv(name, value)
        server = ThreadedMotoServer(ip_address=HOST, port=0, verbose=False)
        server.start()
        try:
            _, port = server.get_host_and_port()
            yield LocalSettings(host=HOST, moto_port=port, data_dir=data_dir)
        finally:
            server.stop()


def reset_moto(settings: LocalSettings) -> None:
    """Empties moto (every backend, and every model its dashboard dumps)."""
    requests.post(f"{settings.moto_url}/moto-api/reset", timeout=5).raise_for_status()
