from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.dynamodb import create_tables, local_table_names
from infra.topology import (
    OFFERS_REFRESH_TOKEN,
    OFFERS_SERVICE,
    OFFERS_SYNC,
    SHOP_EMAIL,
    SHOP_MAIL,
    SHOP_USERS,
    SHOPFLOOR_BUS,
    TABLES,
    WARRANTY_ARCHIVE,
)
from shopfloor.catalog.products.service import ProductService
from shopfloor.catalog.wiring import offers_reader, product_service
from shopfloor.operations.wiring import database_probe
from shopfloor.platform import aws as platform_aws
from shopfloor.platform.observability import metrics
from shopfloor.shop.wiring import accounts, menu_service, notifier, order_service, publisher
from shopfloor.warranties.wiring import warranty_service
from tests.helpers.handlers import HandlerClient, load_handler
from tests.unit.catalog.fakes import FakeRegistrar

TABLE_NAMES = local_table_names("unit")
QUEUE_NAME = "unit-offers-sync"
ARCHIVE_BUCKET = "unit-warranty-archive"
REFRESH_TOKEN = "unit-refresh-token"
EVENT_BUS = "unit-shopfloor"
SENDER = "coffee@unit.example.com"
SHOP_ADDRESS = "shop@unit.example.com"


def _clear_caches() -> None:
    product_service.cache_clear()
    offers_reader.cache_clear()
    database_probe.cache_clear()
    warranty_service.cache_clear()
    accounts.cache_clear()
    menu_service.cache_clear()
    order_service.cache_clear()
    publisher.cache_clear()
    notifier.cache_clear()
    platform_aws.forget_clients(keep_session=True)


@cache
def fixture_client(service: str) -> Any:
    """The fixture's own client of `service`, made once: moto intercepts it in every test's mock
    (its hook is in every botocore client), and a client costs tens of milliseconds to make."""
    return boto3.client(service, region_name="us-east-1")


@pytest.fixture(autouse=True)
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every unit test runs against moto, with the tables, queue and secret the stack declares."""
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Shopfloor")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "unit")
    # The shared Metrics read both when shopfloor.platform.observability is first imported, which for
    # the tests is at collection (services import it), before this environment: as Lambda would have.
    monkeypatch.setattr(metrics, "namespace", "Shopfloor")
    monkeypatch.setattr(metrics, "service", "unit")
    for table in TABLES:
        monkeypatch.setenv(table.env_var, TABLE_NAMES[table.name])
    monkeypatch.setenv(OFFERS_SERVICE.env_var, "http://offers.invalid")
    monkeypatch.setenv(OFFERS_REFRESH_TOKEN.env_var, OFFERS_REFRESH_TOKEN.name)
    monkeypatch.setenv(WARRANTY_ARCHIVE.env_var, ARCHIVE_BUCKET)
    # The user pool's ids: tests of the auth function make a pool in moto (tests/unit/shop/auth).
    monkeypatch.setenv(SHOP_USERS.env_var, "us-east-1_unit")
    monkeypatch.setenv(SHOP_USERS.client_env_var, "unit-client")
    # The bus and the SES identity exist only in the tests that use them (tests/unit/shop).
    monkeypatch.setenv(SHOPFLOOR_BUS.env_var, EVENT_BUS)
    monkeypatch.setenv(SHOP_MAIL.env_var, SENDER)
    monkeypatch.setenv(SHOP_EMAIL.env_var, SHOP_ADDRESS)
    with mock_aws():
        create_tables(fixture_client("dynamodb"), TABLE_NAMES)
        queue_url = fixture_client("sqs").create_queue(QueueName=QUEUE_NAME)["QueueUrl"]
        monkeypatch.setenv(OFFERS_SYNC.env_var, queue_url)
        fixture_client("s3").create_bucket(Bucket=ARCHIVE_BUCKET)
        fixture_client("secretsmanager").create_secret(
            Name=OFFERS_REFRESH_TOKEN.name, SecretString=REFRESH_TOKEN
        )
        _clear_caches()
        yield
    _clear_caches()


@pytest.fixture
def registrar() -> FakeRegistrar:
    return FakeRegistrar()


@pytest.fixture
def products(registrar: FakeRegistrar) -> HandlerClient:
    """The products handler, with the offers service replaced by a fake registrar."""
    module = load_handler("products")
    real = product_service()
    service = ProductService(real._repository, real._next_id, registrar, real._cleanup)
    module.app.dependency_overrides[product_service] = lambda: service
    return HandlerClient(module)


@pytest.fixture
def sync_queue() -> str:
    return str(boto3.client("sqs").get_queue_url(QueueName=QUEUE_NAME)["QueueUrl"])
