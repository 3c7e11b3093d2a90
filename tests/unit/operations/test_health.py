from __future__ import annotations

import socket

import pytest

from tests.helpers.handlers import HandlerClient, load_handler


def test_health_is_200_when_dynamodb_answers() -> None:
    health = HandlerClient(load_handler("health"))

    reply = health.get("/health")

    assert reply.status == 200
    assert reply.json() == {"status": "healthy", "database": "connected"}


def test_health_is_503_when_dynamodb_cannot_be_reached(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", f"http://127.0.0.1:{closed_port}")
    health = HandlerClient(load_handler("health"))

    reply = health.get("/health/")

    assert reply.status == 503
    assert reply.json() == {"status": "unhealthy", "database": "disconnected"}
