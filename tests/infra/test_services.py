"""External services: each base URL is a context setting, https only, checked at synth."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import App

from infra.constructs.services import context_key, service_urls_from_context
from infra.stack import ShopfloorStage
from infra.topology import FUNCTIONS, SERVICES, SERVICES_BY_NAME, Service
from tests.infra.conftest import cdk_context
from tests.infra.template import function_environments

pytestmark = pytest.mark.infra


def test_the_offers_service_url_is_the_offers_service_url_context_key() -> None:
    [service] = [service for service in SERVICES if service.name == "offers-service"]

    assert context_key(service) == "offersServiceUrl"


@pytest.mark.parametrize("service", SERVICES, ids=lambda service: service.name)
def test_cdk_json_gives_each_service_a_default_https_url(service: Service) -> None:
    assert cdk_context()[context_key(service)].startswith("https://")


def test_every_function_that_calls_a_service_runs_with_the_context_url(
    stage: ShopfloorStage, template_dict: dict[str, Any]
) -> None:
    """Whichever stack holds it: each stack of functions reads the URLs from the context."""
    environments = function_environments(template_dict)
    callers = [function for function in FUNCTIONS if function.services]

    assert callers
    for function in callers:
        for name in function.services:
            variable = SERVICES_BY_NAME[name].env_var
            assert environments[function.name][variable] == cdk_context()[context_key(SERVICES_BY_NAME[name])]
    for stack in stage.function_stacks:
        assert service_urls_from_context(stack) == {
            service.name: cdk_context()[context_key(service)] for service in SERVICES
        }, stack.stack_name


def test_a_url_given_on_the_command_line_wins() -> None:
    urls = {context_key(service): f"https://{service.name}.internal/base" for service in SERVICES}

    assert service_urls_from_context(App(context=urls)) == {
        service.name: urls[context_key(service)] for service in SERVICES
    }


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "http://offers.example.com",
        "offers.example.com",
        "https://",
        "https://x.example?token=1",
        42,
    ],
)
def test_a_missing_or_non_https_service_url_is_refused(value: object) -> None:
    context = {context_key(service): value for service in SERVICES if value is not None}

    with pytest.raises(ValueError, match=r"context \w+Url=.*https URL"):
        service_urls_from_context(App(context=context))
