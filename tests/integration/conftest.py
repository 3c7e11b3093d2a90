from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.integration.cloud import LocalCloud, Ports, start_cloud


@pytest.fixture(scope="session")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    """One local cloud for the whole session, on free ports with a fresh data folder."""
    local_cloud = start_cloud(Ports.free(), tmp_path_factory.mktemp("local-cloud"))
    yield local_cloud
    assert local_cloud.stop() == 0, local_cloud.output()


@pytest.fixture(scope="session")
def base_url(cloud: LocalCloud) -> str:
    return cloud.base_url


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session
