"""moto server on the local host, standing in for SQS, S3, EventBridge, Secrets Manager, Cognito
and SES. Its state lives in memory: it starts empty every time.

It names user pools and their app clients by a digest of the request that creates them (the HASH id
strategy), so the topology's pool gets the same ids on every start (infra.local.resources)."""

from __future__ import annotations

import os
import sys

from infra.local.processes import Child, accepts_connections
from infra.local.settings import LocalSettings

START_TIMEOUT_SECONDS = 30.0
ID_STRATEGIES = {
    "MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY": "HASH",
    "MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY": "HASH",
}


def start(settings: LocalSettings) -> Child:
    command = [sys.executable, "-m", "moto.server", "-H", settings.host, "-p", str(settings.moto_port)]
    environment = {**os.environ, **ID_STRATEGIES}
    return Child("moto server", command, settings.data_dir / "logs" / "moto.log", environment)


def wait(child: Child, settings: LocalSettings) -> None:
    child.wait_until(accepts_connections(settings.host, settings.moto_port), START_TIMEOUT_SECONDS)
