"""The REST API: every topology route reaches its function; API Gateway's own answers use the envelope."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from infra import constants
from infra.topology import all_routes
from shopfloor.platform import errors
from tests.infra.template import MOCK, PROXY, function_logical_ids, methods, synthesized_routes

pytestmark = pytest.mark.infra


def test_the_api_serves_exactly_the_topology_routes(template_dict: dict[str, Any]) -> None:
    declared = {(route.method, route.resource_path) for route, _ in all_routes()}

    assert synthesized_routes(template_dict) == declared


def test_each_route_is_proxied_to_the_function_that_owns_it(template_dict: dict[str, Any]) -> None:
    logical_ids = function_logical_ids(template_dict)
    declared = {
        (route.method, route.resource_path, logical_ids[function.name]) for route, function in all_routes()
    }

    proxied = {
        (method.http_method, method.path, _invoked_function(method.properties["Integration"]))
        for method in methods(template_dict)
        if method.integration_type == PROXY
    }

    assert proxied == declared


def test_a_route_requires_the_path_parameters_it_names(template_dict: dict[str, Any]) -> None:
    required = {
        (method.http_method, method.path): set(method.properties.get("RequestParameters", {}))
        for method in methods(template_dict)
        if method.integration_type == PROXY
    }

    assert required == {
        (method, path): {f"method.request.path.{name}" for name in re.findall(r"{(\w+)}", path)}
        for method, path in required
    }
    assert any(required.values())


def test_a_known_path_answers_other_methods_with_405(template_dict: dict[str, Any]) -> None:
    routed_paths = {route.resource_path for route, _ in all_routes()}
    mocks = {
        method.path: method.properties for method in methods(template_dict) if method.http_method == "ANY"
    }

    assert set(mocks) == routed_paths
    for path, properties in mocks.items():
        integration = properties["Integration"]
        assert integration["Type"] == MOCK, path
        assert {json.loads(body)["statusCode"] for body in integration["RequestTemplates"].values()} == {405}
        [response] = integration["IntegrationResponses"]
        assert response["StatusCode"] == "405"
        assert json.loads(response["ResponseTemplates"][constants.JSON]) == {
            "message": errors.METHOD_NOT_ALLOWED
        }
        assert properties["MethodResponses"] == [{"StatusCode": "405"}]


@pytest.mark.parametrize(
    ("response_type", "status", "body"),
    [
        ("MISSING_AUTHENTICATION_TOKEN", "404", {"message": errors.NOT_FOUND}),
        ("RESOURCE_NOT_FOUND", "404", {"message": errors.NOT_FOUND}),
        ("THROTTLED", "429", {"message": "Too many requests."}),
        ("UNAUTHORIZED", "401", {"message": "Unauthorized."}),
        ("ACCESS_DENIED", "403", {"message": "Forbidden."}),
        ("DEFAULT_5XX", None, {"message": errors.INTERNAL_ERROR}),
    ],
)
def test_gateway_responses_use_the_error_envelope(
    template_dict: dict[str, Any], response_type: str, status: str | None, body: dict[str, str]
) -> None:
    properties = _gateway_response(template_dict, response_type)

    assert properties.get("StatusCode") == status
    assert json.loads(properties["ResponseTemplates"][constants.JSON]) == body


def test_other_client_errors_carry_api_gateways_own_message_in_the_envelope(
    template_dict: dict[str, Any],
) -> None:
    properties = _gateway_response(template_dict, "DEFAULT_4XX")

    assert "StatusCode" not in properties
    assert properties["ResponseTemplates"][constants.JSON] == '{"message": $context.error.messageString}'


def test_the_prod_stage_traces_logs_and_throttles(template: Template) -> None:
    template.has_resource_properties(
        "AWS::ApiGateway::Stage",
        {
            "StageName": constants.API_STAGE,
            "TracingEnabled": True,
            "AccessLogSetting": {"DestinationArn": Match.any_value(), "Format": Match.any_value()},
            "MethodSettings": [
                Match.object_like(
                    {
                        "HttpMethod": "*",
                        "ResourcePath": "/*",
                        "LoggingLevel": "ERROR",
                        "DataTraceEnabled": False,
                        "ThrottlingRateLimit": constants.API_THROTTLE_RATE_LIMIT,
                        "ThrottlingBurstLimit": constants.API_THROTTLE_BURST_LIMIT,
                    }
                )
            ],
        },
    )


def test_the_api_url_is_a_stack_output(template: Template) -> None:
    template.has_output(constants.API_URL_OUTPUT, {"Value": Match.any_value()})


def test_the_gateway_messages_are_the_handlers_messages() -> None:
    assert (
        constants.MESSAGE_NOT_FOUND,
        constants.MESSAGE_METHOD_NOT_ALLOWED,
        constants.MESSAGE_INTERNAL_ERROR,
    ) == (
        errors.NOT_FOUND,
        errors.METHOD_NOT_ALLOWED,
        errors.INTERNAL_ERROR,
    )


def _gateway_response(template_dict: dict[str, Any], response_type: str) -> dict[str, Any]:
    [properties] = [
        resource["Properties"]
        for resource in template_dict["Resources"].values()
        if resource["Type"] == "AWS::ApiGateway::GatewayResponse"
        and resource["Properties"]["ResponseType"] == response_type
    ]
    return dict(properties)


def _invoked_function(integration: dict[str, Any]) -> str:
    """The logical id of the function a proxy integration's URI invokes."""
    [function_arn] = [
        part["Fn::GetAtt"][0]
        for part in integration["Uri"]["Fn::Join"][1]
        if isinstance(part, dict) and "Fn::GetAtt" in part
    ]
    return str(function_arn)
