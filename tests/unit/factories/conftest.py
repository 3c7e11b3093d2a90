from __future__ import annotations

from collections.abc import Iterator

import pytest

from shopfloor.factories.wiring import factory_service
from tests.helpers.handlers import HandlerClient, load_handler


@pytest.fixture(autouse=True)
def _fresh_service(aws: None) -> Iterator[None]:
    """Each test's service talks to that test's moto (the handler builds it at import)."""
    factory_service.cache_clear()
    yield
    factory_service.cache_clear()


@pytest.fixture
def factories() -> HandlerClient:
    return HandlerClient(load_handler("factories"))
