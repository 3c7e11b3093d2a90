"""The local cloud's configuration, read once from the environment (see `infra.local`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from infra.local.errors import LocalCloudError
from infra.topology import ROOT

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True)
class LocalSettings:
    host: str = "127.0.0.1"
    api_port: int = 3000
    dynamodb_port: int = 8000
    moto_port: int = 5000
    data_dir: Path = ROOT / ".local-data"
    log_level: str = "INFO"
    function_concurrency: int = 4

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> LocalSettings:
        env = os.environ if environ is None else environ
        defaults = cls()
        log_level = env.get("SHOPFLOOR_LOG_LEVEL", defaults.log_level).strip().upper()
        if log_level not in LOG_LEVELS:
            raise LocalCloudError(
                f"SHOPFLOOR_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {log_level!r}"
            )
        data_dir = env.get("SHOPFLOOR_DATA_DIR", "").strip()
        return cls(
            host=env.get("SHOPFLOOR_HOST", defaults.host).strip() or defaults.host,
            api_port=_port(env, "SHOPFLOOR_API_PORT", defaults.api_port),
            dynamodb_port=_port(env, "SHOPFLOOR_DYNAMODB_PORT", defaults.dynamodb_port),
            moto_port=_port(env, "SHOPFLOOR_MOTO_PORT", defaults.moto_port),
            data_dir=Path(data_dir).resolve() if data_dir else defaults.data_dir,
            log_level=log_level,
            function_concurrency=_integer(
                env, "SHOPFLOOR_FUNCTION_CONCURRENCY", defaults.function_concurrency, 1, 64
            ),
        )

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.api_port}"

    @property
    def dynamodb_url(self) -> str:
        return f"http://{self.host}:{self.dynamodb_port}"

    @property
    def moto_url(self) -> str:
        return f"http://{self.host}:{self.moto_port}"


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    return _integer(env, name, default, 1, 65535)


def _integer(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise LocalCloudError(f"{name} must be an integer from {low} to {high}, not {raw!r}")
    return value
