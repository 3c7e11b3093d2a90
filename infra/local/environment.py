"""The environment each function's worker runs with: the topology's, plus what Lambda and the
local cloud add (region, dummy credentials, endpoints, log level, handler, code path)."""

from __future__ import annotations

import os

from infra.build import function_code_dir
from infra.dynamodb import local_table_names
from infra.local import resources
from infra.local.settings import LocalSettings
from infra.topology import FUNCTIONS, HANDLER, SHARED_LAYER_DIR, Function, function_environment

REGION = "us-east-1"
LAYER_PYTHON_DIR = SHARED_LAYER_DIR / "python"
# Taken from the developer's environment: how to find programs, and whether to write bytecode.
_PASSED_THROUGH = ("PATH", "SYSTEMROOT", "PYTHONDONTWRITEBYTECODE")


def local_function_environment(function: Function, settings: LocalSettings) -> dict[str, str]:
    """What the function sees in os.environ locally (besides PATH)."""
    environment = function_environment(
        function,
        local_table_names(),
        queue_urls=resources.queue_urls(settings),
        secret_ids=resources.secret_ids(),
        service_urls=resources.service_urls(settings),
        bucket_names=resources.bucket_names(),
        user_pools=resources.user_pool_ids(),
        event_buses=resources.event_bus_names(),
        email_senders=resources.email_sender_addresses(),
        context_values=resources.context_values(),
    )
    environment.update(
        {
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_ENDPOINT_URL": settings.moto_url,
            "AWS_ENDPOINT_URL_DYNAMODB": settings.dynamodb_url,
            # No profile, config file or instance metadata of the developer's leaks in.
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": settings.log_level,
            "LOG_LEVEL": settings.log_level,
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function.name}",
            "_HANDLER": HANDLER,
            "TZ": ":UTC",
            "LANG": "en_US.UTF-8",
            "PYTHONPATH": os.pathsep.join([str(function_code_dir(function)), str(LAYER_PYTHON_DIR)]),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return environment


def worker_environment(function: Function, settings: LocalSettings) -> dict[str, str]:
    passed = {name: os.environ[name] for name in _PASSED_THROUGH if name in os.environ}
    return {**passed, **local_function_environment(function, settings)}


def function_environments(settings: LocalSettings | None = None) -> dict[str, dict[str, str]]:
    """Every function's local environment, by function name."""
    resolved = settings or LocalSettings.from_environ()
    return {function.name: local_function_environment(function, resolved) for function in FUNCTIONS}
