from __future__ import annotations

from collections.abc import Iterator

import pytest

from shopfloor.factories.dependencies import factory_service, sprocket_service
from tests.helpers.handlers import HandlerClient, load_handler


@pytest.fixture(autouse=True)
def _fresh_services(aws: None) -> Iterator[None]:
    """Each test's services talk to that test's moto (the handlers build them at import)."""
    factory_service.cache_clear()
    sprocket_service.cache_clear()
    yield
    factory_service.cache_clear()
    sprocket_service.cache_clear()


@pytest.fixture
def factories() -> HandlerClient:
    return HandlerClient(load_handler("factories"))


@pytest.fixture
def sprockets() -> HandlerClient:
    return HandlerClient(load_handler("sprockets"))
