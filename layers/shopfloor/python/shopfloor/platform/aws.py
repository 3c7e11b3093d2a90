"""AWS clients pynamodb does not cover, from botocore's own session (no boto3 import on the path).

Endpoints and region come from botocore's configuration (AWS_REGION, AWS_ENDPOINT_URL_<SERVICE>).
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

import botocore.session
from botocore.config import Config

_CONFIG = Config(connect_timeout=2, read_timeout=10, retries={"mode": "standard", "max_attempts": 3})
_lock = threading.Lock()


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


def client(service_name: str) -> Any:
    """One client per service per container (creating clients is not thread-safe)."""
    with _lock:
        return _client(service_name)


@cache
def _client(service_name: str) -> Any:
    return _session().create_client(service_name, config=_CONFIG)


def secret_string(secret_id: str) -> str:
    response = client("secretsmanager").get_secret_value(SecretId=secret_id)
    return str(response["SecretString"])
