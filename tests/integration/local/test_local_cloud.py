"""The local cloud itself: data survives a restart, health follows the database, clear errors."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from infra.topology import ROOT
from tests.integration.cloud import Ports, cloud_environment, free_ports, running, start_cloud

pytestmark = pytest.mark.integration

PROC_CHILDREN = any(Path("/proc/self/task").glob("*/children"))


def test_products_survive_a_restart(tmp_path: Path) -> None:
    ports = Ports.free()
    first = start_cloud(ports, tmp_path)
    try:
        created = requests.post(f"{first.base_url}/products", json={"name": "Durable"}, timeout=30)
        assert created.status_code == 201
    finally:
        assert first.stop() == 0

    second = start_cloud(ports, tmp_path)
    try:
        response = requests.get(f"{second.base_url}/products/{created.json()['id']}", timeout=30)
        assert response.status_code == 200
        assert response.json() == created.json()
        another = requests.post(f"{second.base_url}/products", json={"name": "After"}, timeout=30)
        assert another.json()["id"] != created.json()["id"]
    finally:
        assert second.stop() == 0


@pytest.mark.skipif(not PROC_CHILDREN, reason="needs Linux /proc/<pid>/task/<tid>/children")
def test_stopping_the_cloud_stops_every_process_it_started(tmp_path: Path) -> None:
    cloud = start_cloud(Ports.free(), tmp_path)
    requests.get(f"{cloud.base_url}/products", timeout=30)  # starts a function worker too

    assert cloud.stop() == 0

    assert len(cloud.descendants) >= 3  # DynamoDB Local, moto server, a worker at least
    assert [pid for pid in cloud.descendants if running(pid)] == []


def test_health_is_503_when_dynamodb_cannot_be_reached(tmp_path: Path) -> None:
    api, closed = free_ports(2)
    ports = Ports(api=api, dynamodb=closed, moto=closed, offers=closed)
    gateway = start_cloud(ports, tmp_path, ["gateway"], healthy=False)
    try:
        response = requests.get(f"{gateway.base_url}/health", timeout=30)

        assert response.status_code == 503
        assert response.json() == {"status": "unhealthy", "database": "disconnected"}
    finally:
        assert gateway.stop() == 0


def run_to_exit(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infra.local"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("taken", ["api", "dynamodb", "moto", "offers"])
def test_a_port_in_use_is_a_one_line_error_and_exit_code_1(tmp_path: Path, taken: str) -> None:
    ports = Ports.free()
    port = getattr(ports, taken)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", port))
        listener.listen()

        result = run_to_exit(cloud_environment(ports, tmp_path))

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(port) in lines[0]
    assert "in use" in lines[0]
    assert f"SHOPFLOOR_{taken.upper()}_PORT" in lines[0]
    assert not (tmp_path / "dynamodb").exists()  # nothing was started


def test_without_java_the_error_says_to_install_java_17(tmp_path: Path) -> None:
    environment = cloud_environment(Ports.free(), tmp_path, {"PATH": str(tmp_path / "empty")})

    result = run_to_exit(environment)

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Java 17" in lines[0]


def test_an_invalid_setting_is_a_one_line_error(tmp_path: Path) -> None:
    environment = cloud_environment(Ports.free(), tmp_path, {"SHOPFLOOR_API_PORT": "http"})

    result = run_to_exit(environment)

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: SHOPFLOOR_API_PORT must be an integer from 1 to 65535, not 'http'"
    ]
