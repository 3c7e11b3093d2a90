from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from infra.dynamodb import create_tables, local_table_names
from infra.topology import TABLES
from shopfloor.catalog.dependencies import product_service
from shopfloor.platform.health import database_probe
from tests.helpers.handlers import HandlerClient, load_handler

TABLE_NAMES = local_table_names("unit")


@pytest.fixture(autouse=True)
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every unit test runs against moto, with the tables the stack declares."""
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Shopfloor")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "unit")
    for table in TABLES:
        monkeypatch.setenv(table.env_var, TABLE_NAMES[table.name])
    with mock_aws():
        create_tables(boto3.client("dynamodb"), TABLE_NAMES)
        product_service.cache_clear()
        database_probe.cache_clear()
        yield
    product_service.cache_clear()
    database_probe.cache_clear()


@pytest.fixture
def products() -> HandlerClient:
    return HandlerClient(load_handler("products"))
