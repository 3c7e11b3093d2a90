from __future__ import annotations

import os
from pathlib import Path

import botocore
import pytest
from botocore.exceptions import DataNotFoundError

from shopfloor.platform import aws
from tests.unit.conftest import TABLE_NAMES

BOTOCORE_DATA = Path(botocore.__file__).parent / "data"


def test_a_client_is_created_without_listing_every_service_botocore_knows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    aws.forget_clients()  # a new session, as a container starts with: nothing loaded yet
    listed: list[str] = []
    real_listdir = os.listdir

    def listdir(path: str | os.PathLike[str] = ".") -> list[str]:
        listed.append(str(path))
        return real_listdir(path)

    monkeypatch.setattr(os, "listdir", listdir)

    table = aws.client("dynamodb").describe_table(TableName=TABLE_NAMES["products"])["Table"]
    queues = aws.client("sqs").list_queues()

    assert table["TableName"] == TABLE_NAMES["products"]
    assert queues["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert str(BOTOCORE_DATA) not in listed  # the data folder's some 400 services, never listed
    assert any(path.startswith(str(BOTOCORE_DATA / "dynamodb")) for path in listed)


def test_a_service_botocore_has_no_data_for_still_fails() -> None:
    with pytest.raises(DataNotFoundError):
        aws.client("no-such-service")


def test_one_client_per_service_per_container() -> None:
    assert aws.client("dynamodb") is aws.client("dynamodb")
    assert aws.existing_clients() == [aws.client("dynamodb")]
