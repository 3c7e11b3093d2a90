"""moto server on the local host, standing in for SQS, S3, EventBridge, Secrets Manager, Cognito
and SES. Its state lives in memory: it starts empty every time."""

from __future__ import annotations

import sys

from infra.local.processes import Child, accepts_connections
from infra.local.settings import LocalSettings

START_TIMEOUT_SECONDS = 30.0


def start(settings: LocalSettings) -> Child:
    command = [sys.executable, "-m", "moto.server", "-H", settings.host, "-p", str(settings.moto_port)]
    return Child("moto server", command, settings.data_dir / "logs" / "moto.log")


def wait(child: Child, settings: LocalSettings) -> None:
    child.wait_until(accepts_connections(settings.host, settings.moto_port), START_TIMEOUT_SECONDS)
