from __future__ import annotations

from collections.abc import Iterator

import pytest

from shopfloor.sprockets.wiring import sprocket_service
from tests.helpers.handlers import HandlerClient, load_handler


@pytest.fixture(autouse=True)
def _fresh_service(aws: None) -> Iterator[None]:
    """Each test's service talks to that test's moto (the handler builds it at import)."""
    sprocket_service.cache_clear()
    yield
    sprocket_service.cache_clear()


@pytest.fixture
def sprockets() -> HandlerClient:
    return HandlerClient(load_handler("sprockets"))
