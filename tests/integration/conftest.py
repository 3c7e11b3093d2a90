from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.integration.catalog.offers_harness import Catalogue, OffersCloud
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
def dynamodb_local(cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch) -> None:
    """This process's AWS SDK talks to the session cloud's DynamoDB Local."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", cloud.dynamodb_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture(scope="module")
def offers_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OffersCloud]:
    """A local cloud of the module's own, for the offers sync: schedule off, offers change only
    when a test advances them, fast retries (tests/integration/catalog/offers_harness.py)."""
    cloud = OffersCloud.start(tmp_path_factory.mktemp("offers-cloud"))
    yield cloud
    assert cloud.stop() == 0, cloud.cloud.output()


@pytest.fixture
def catalogue(offers_cloud: OffersCloud) -> Iterator[Catalogue]:
    offers_cloud.control(reset=True, reset_stats=True)
    offers_cloud.drain_dlq()
    products = Catalogue(offers_cloud)
    yield products
    products.clear()
