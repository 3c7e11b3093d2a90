"""HTTP services outside Shopfloor: each base URL is a CDK context setting, checked at synth.

`cdk deploy -c offersServiceUrl=https://...` overrides the default in cdk.json.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from constructs import Construct

from infra.constants import HTTPS, SERVICE_URL_CONTEXT_SUFFIX
from infra.constructs.naming import construct_id
from infra.topology import SERVICES, Service


def context_key(service: Service) -> str:
    """`offers-service` -> `offersServiceUrl`."""
    pascal = construct_id(service.name, SERVICE_URL_CONTEXT_SUFFIX)
    return pascal[0].lower() + pascal[1:]


def service_urls_from_context(scope: Construct) -> dict[str, str]:
    """Each service's base URL, by topology name; refuses a missing or non-https one."""
    return {service.name: _service_url(scope, service) for service in SERVICES}


def _service_url(scope: Construct, service: Service) -> str:
    key = context_key(service)
    value = scope.node.try_get_context(key)
    if not isinstance(value, str) or not _is_https_url(value):
        raise ValueError(
            f"context {key}={value!r}: the base URL of {service.name} ({service.description}) must be an "
            f"https URL; set it in cdk.json or with `cdk deploy -c {key}=https://...`"
        )
    return value


def _is_https_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme == HTTPS and bool(parts.hostname) and not (parts.query or parts.fragment)
