"""AWS clients, from one botocore session per container (no boto3 import on the path).

One session matters: a client from a session that already loaded botocore's data costs about
4 ms, one from a new session over 100 ms of a cold start (platform/coldstart.py). The DynamoDB
client is also the one every pynamodb model uses (platform/tables.py). Endpoints and region come
from botocore's own configuration (AWS_REGION, AWS_ENDPOINT_URL_<SERVICE>, AWS_DATA_PATH).
"""

from __future__ import annotations

import os
import threading
from typing import Any

import botocore.session
from botocore.config import Config

from shopfloor.platform import coldstart

_CONFIG = Config(connect_timeout=2, read_timeout=10, retries={"mode": "standard", "max_attempts": 3})
# DynamoDB on request paths answers quickly or fails: a client waits on it.
DYNAMODB_CONNECT_TIMEOUT_SECONDS = 2.0
DYNAMODB_READ_TIMEOUT_SECONDS = 5.0
_DYNAMODB_CONFIG = Config(
    parameter_validation=False,
    connect_timeout=DYNAMODB_CONNECT_TIMEOUT_SECONDS,
    read_timeout=DYNAMODB_READ_TIMEOUT_SECONDS,
    max_pool_connections=20,
    retries={"mode": "standard", "total_max_attempts": 4},
)
# A probe of DynamoDB (GET /health) tells at once: one attempt, short timeouts.
_FAIL_FAST_CONFIG = _DYNAMODB_CONFIG.merge(
    Config(connect_timeout=1, read_timeout=2, retries={"mode": "standard", "total_max_attempts": 1})
)
FAIL_FAST = "dynamodb (fail fast)"
# An e-mail is sent in a few hundred milliseconds or not at all: a short wait, one retry, so that
# a consumer can tell how long one e-mail may take (SES_WORST_CASE_MS) and never time out mid-send.
_SES_CONFIG = Config(connect_timeout=1, read_timeout=4, retries={"mode": "standard", "total_max_attempts": 2})
SES_WORST_CASE_MS = 2 * (1 + 4) * 1000


def _new_session() -> botocore.session.Session:
    session = botocore.session.get_session()
    # As botocore.loaders.create_loader reads AWS_DATA_PATH (the session's `data_path`).
    data_path = session.get_config_variable("data_path") or ""
    paths = [os.path.expanduser(os.path.expandvars(path)) for path in data_path.split(os.pathsep) if path]
    session.register_component("data_loader", coldstart.called_services_loader(paths))
    return session


class _Clients:
    """The container's session and its clients (creating clients is not thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.session: botocore.session.Session | None = None
        self.by_service: dict[str, Any] = {}


_container = _Clients()


def client(service_name: str) -> Any:
    """The container's client of `service_name` (or of FAIL_FAST: DynamoDB without retries)."""
    with _container.lock:
        if service_name not in _container.by_service:
            if _container.session is None:
                _container.session = _new_session()
            service, config = _CONFIGS.get(service_name, (service_name, _CONFIG))
            _container.session.get_component("data_loader").called.add(service)
            _container.by_service[service_name] = _container.session.create_client(service, config=config)
        return _container.by_service[service_name]


_CONFIGS = {
    "dynamodb": ("dynamodb", _DYNAMODB_CONFIG),
    FAIL_FAST: ("dynamodb", _FAIL_FAST_CONFIG),
    "sesv2": ("sesv2", _SES_CONFIG),
}


def existing_clients() -> list[Any]:
    with _container.lock:
        return list(_container.by_service.values())


def existing_session() -> botocore.session.Session | None:
    return _container.session


def forget_clients(*, keep_session: bool = False) -> None:
    """Start over with new clients (tests, which switch between moto and real endpoints), from a new
    session unless `keep_session` (which keeps the service models it loaded: a new session loads
    them again, about 100 ms a client)."""
    with _container.lock:
        if not keep_session:
            _container.session = None
        _container.by_service.clear()


def secret_string(secret_id: str) -> str:
    response = client("secretsmanager").get_secret_value(SecretId=secret_id)
    return str(response["SecretString"])
