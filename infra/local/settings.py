"""The local cloud's configuration, read once from the environment (see `infra.local`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from infra.local.errors import LocalCloudError
from infra.topology import ROOT, SITE

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# How the functions' JSON log lines are shown: one readable line each, or as written (infra.local.logs).
LOG_FORMATS = ("text", "json")
# What the local offers service can be told to do wrong (see infra.local.offers_service).
FAILURES = ("5xx", "timeout", "malformed", "schema", "401", "down")


@dataclass(frozen=True)
class LocalSettings:
    host: str = "127.0.0.1"
    api_port: int = 3000
    dynamodb_port: int = 8000
    moto_port: int = 5000
    data_dir: Path = ROOT / ".local-data"
    log_level: str = "INFO"
    log_format: str = "text"
    function_concurrency: int = 4
    offers_port: int = 8080
    offers_refresh_token: str = "local-refresh-token"
    # Every this many seconds the offers change; 0 = never (a cycle in which nothing changes).
    offers_tick_seconds: float = 60.0
    offers_latency_ms: int = 0
    offers_token_ttl_seconds: float = 300.0
    offers_seed: int = 0
    offers_failure: str | None = None
    offers_failure_rate: float = 1.0
    # Every scheduled function fires this often instead of its schedule; None = as declared, 0 = never.
    schedule_seconds: float | None = None
    # Every queue's visibility timeout instead of the declared one (None = as declared).
    visibility_timeout_seconds: int | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> LocalSettings:
        env = os.environ if environ is None else environ
        defaults = cls()
        log_level = env.get("SHOPFLOOR_LOG_LEVEL", defaults.log_level).strip().upper()
        if log_level not in LOG_LEVELS:
            raise LocalCloudError(
                f"SHOPFLOOR_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {log_level!r}"
            )
        log_format = env.get("SHOPFLOOR_LOG_FORMAT", "").strip().lower() or defaults.log_format
        if log_format not in LOG_FORMATS:
            raise LocalCloudError(
                f"SHOPFLOOR_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}"
            )
        data_dir = env.get("SHOPFLOOR_DATA_DIR", "").strip()
        failure = env.get("SHOPFLOOR_OFFERS_FAILURE", "").strip().lower() or None
        if failure is not None and failure not in FAILURES:
            raise LocalCloudError(
                f"SHOPFLOOR_OFFERS_FAILURE must be one of {', '.join(FAILURES)}, not {failure!r}"
            )
        schedule = env.get("SHOPFLOOR_SCHEDULE_SECONDS", "").strip()
        visibility = env.get("SHOPFLOOR_VISIBILITY_TIMEOUT_SECONDS", "").strip()
        return cls(
            host=env.get("SHOPFLOOR_HOST", defaults.host).strip() or defaults.host,
            api_port=_port(env, "SHOPFLOOR_API_PORT", defaults.api_port),
            dynamodb_port=_port(env, "SHOPFLOOR_DYNAMODB_PORT", defaults.dynamodb_port),
            moto_port=_port(env, "SHOPFLOOR_MOTO_PORT", defaults.moto_port),
            data_dir=Path(data_dir).resolve() if data_dir else defaults.data_dir,
            log_level=log_level,
            log_format=log_format,
            function_concurrency=_integer(
                env, "SHOPFLOOR_FUNCTION_CONCURRENCY", defaults.function_concurrency, 1, 64
            ),
            offers_port=_port(env, "SHOPFLOOR_OFFERS_PORT", defaults.offers_port),
            offers_refresh_token=env.get("SHOPFLOOR_OFFERS_REFRESH_TOKEN", "").strip()
            or defaults.offers_refresh_token,
            offers_tick_seconds=_number(
                env, "SHOPFLOOR_OFFERS_TICK_SECONDS", defaults.offers_tick_seconds, 0, 1e9
            ),
            offers_latency_ms=_integer(
                env, "SHOPFLOOR_OFFERS_LATENCY_MS", defaults.offers_latency_ms, 0, 600_000
            ),
            offers_token_ttl_seconds=_number(
                env, "SHOPFLOOR_OFFERS_TOKEN_TTL_SECONDS", defaults.offers_token_ttl_seconds, 0.1, 1e9
            ),
            offers_seed=_integer(env, "SHOPFLOOR_OFFERS_SEED", defaults.offers_seed, 0, 2**63),
            offers_failure=failure,
            offers_failure_rate=_number(
                env, "SHOPFLOOR_OFFERS_FAILURE_RATE", defaults.offers_failure_rate, 0, 1
            ),
            schedule_seconds=_number(env, "SHOPFLOOR_SCHEDULE_SECONDS", 0, 0, 1e9) if schedule else None,
            visibility_timeout_seconds=(
                _integer(env, "SHOPFLOOR_VISIBILITY_TIMEOUT_SECONDS", 0, 0, 43200) if visibility else None
            ),
        )

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.api_port}"

    @property
    def pages_url(self) -> str:
        """The web pages, on the API's own port (infra.local.site): `http://127.0.0.1:3000/app/`."""
        return f"{self.api_url}{SITE.home_path}"

    @property
    def dynamodb_url(self) -> str:
        return f"http://{self.host}:{self.dynamodb_port}"

    @property
    def moto_url(self) -> str:
        return f"http://{self.host}:{self.moto_port}"

    @property
    def offers_url(self) -> str:
        return f"http://{self.host}:{self.offers_port}"


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


def _number(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:  # also false for nan
        raise LocalCloudError(f"{name} must be a number from {low:g} to {high:g}, not {raw!r}")
    return value
