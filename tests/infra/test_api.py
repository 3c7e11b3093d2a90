"""The REST API: every topology route reaches its function, the signed-in ones through the user
pool's authorizer and the others open for a stated reason; API Gateway's own answers use the envelope."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aws_cdk import Validations
from aws_cdk.assertions import Match, Template
from constructs import IConstruct

from infra import constants
from infra.constructs import nag
from infra.constructs.api import public_route_reason
from infra.stack import ShopfloorStack
from infra.topology import FUNCTIONS, SHOP_USERS, Function, Route, all_routes
from shopfloor.platform import errors
from tests.infra.template import (
    COGNITO_USER_POOLS,
    MOCK,
    PROXY,
    function_logical_ids,
    methods,
    resources_of_type,
    signed_in_routes,
    synthesized_routes,
)

pytestmark = pytest.mark.infra

ANNOTATION_PREFIX = "Annotation::"


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


def test_exactly_the_signed_in_routes_are_behind_the_user_pool_authorizer(
    template_dict: dict[str, Any],
) -> None:
    declared = {(route.method, route.resource_path) for route, _ in all_routes() if route.signed_in}
    [authorizer_id] = resources_of_type(template_dict, "AWS::ApiGateway::Authorizer")
    proxied = [method for method in methods(template_dict) if method.integration_type == PROXY]

    assert declared
    assert signed_in_routes(template_dict) == declared
    for method in proxied:
        route = (method.http_method, method.path)
        if route in declared:
            assert method.properties["AuthorizerId"] == {"Ref": authorizer_id}, route
        else:
            assert method.authorization_type == "NONE", route
            assert "AuthorizerId" not in method.properties, route


def test_the_shop_is_signed_in_except_its_menu_sign_up_and_token(template_dict: dict[str, Any]) -> None:
    shop = {"auth", "menu", "orders"}
    shop_routes = {
        (route.method, route.resource_path) for route, function in all_routes() if function.name in shop
    }

    assert shop_routes - signed_in_routes(template_dict) == {
        ("GET", "/menu"),
        ("POST", "/auth/signup"),
        ("POST", "/auth/token"),
    }


def test_the_authorizer_verifies_the_shop_users_tokens_from_the_authorization_header(
    template_dict: dict[str, Any], stack: ShopfloorStack
) -> None:
    [authorizer] = resources_of_type(template_dict, "AWS::ApiGateway::Authorizer").values()
    properties = authorizer["Properties"]
    pool = stack.user_pools.by_name[SHOP_USERS.name].user_pool

    assert properties["Type"] == COGNITO_USER_POOLS
    assert properties["ProviderARNs"] == [stack.resolve(pool.user_pool_arn)]
    assert properties["IdentitySource"] == f"method.request.header.{constants.AUTHORIZATION_HEADER}"
    # Without OAuth scopes on the methods, API Gateway verifies ID tokens (what /auth/token hands out).
    assert all("AuthorizationScopes" not in method.properties for method in methods(template_dict))
    # Not cached: a token is refused the moment it expires.
    assert properties["AuthorizerResultTtlInSeconds"] == 0


def test_a_method_nobody_declared_answers_405_without_a_token(template_dict: dict[str, Any]) -> None:
    mocks = [method for method in methods(template_dict) if method.http_method == "ANY"]

    assert {method.path for method in mocks} >= {"/orders", "/users/me", "/menu/products/{id}"}
    assert all(method.authorization_type == "NONE" for method in mocks)


def test_only_public_methods_acknowledge_having_no_authorizer(stack: ShopfloorStack) -> None:
    """cdk-nag is told why each public method has no authorizer; a signed-in one has nothing to say."""
    signed_in = {(route.method, route.resource_path) for route, _ in all_routes() if route.signed_in}
    findings = {nag.AUTHORIZATION, nag.COGNITO_AUTHORIZER}

    for method in stack.api.rest_api.methods:
        route = (method.http_method, method.resource.path)
        acknowledged = set(_acknowledged(method)) & findings
        assert acknowledged == (set() if route in signed_in else findings), route
        for ancestor in method.node.scopes[:-1]:
            assert not set(_acknowledged(ancestor)) & findings, ancestor.node.path


def test_each_public_shop_route_has_its_own_reason(stack: ShopfloorStack) -> None:
    reasons = {
        (method.http_method, method.resource.path): _acknowledged(method).get(nag.COGNITO_AUTHORIZER, "")
        for method in stack.api.rest_api.methods
    }

    for route, reason in constants.PUBLIC_ROUTES.items():
        assert reasons[route] == f"{route[0]} {route[1]}: {reason}"


def test_every_public_reason_names_a_public_route_of_the_topology() -> None:
    public_routes = {(route.method, route.resource_path) for route, _ in all_routes() if not route.signed_in}
    all_public_functions = {
        function.name
        for function in FUNCTIONS
        if function.routes and not any(route.signed_in for route in function.routes)
    }

    assert set(constants.PUBLIC_ROUTES) <= public_routes
    assert set(constants.PUBLIC_FUNCTIONS) <= all_public_functions
    assert all(
        public_route_reason(route, function) for route, function in all_routes() if not route.signed_in
    )


def test_a_public_route_without_a_reason_is_refused() -> None:
    function = Function(name="secret-menu", description="...", routes=(Route("GET", "/secret-menu"),))

    with pytest.raises(ValueError, match="GET /secret-menu"):
        public_route_reason(function.routes[0], function)


def test_a_signed_in_route_with_a_public_reason_is_refused() -> None:
    route = Route("DELETE", "/products/{id}", signed_in=True)
    function = Function(name="products", description="...", routes=(route,))

    with pytest.raises(ValueError, match="signed in"):
        public_route_reason(route, function)


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


def _acknowledged(construct: IConstruct) -> dict[str, str]:
    """The findings acknowledged on the construct itself, by id (CDK files a finding id that has no
    prefix of its own under `Annotation::`)."""
    return {
        rule.removeprefix(ANNOTATION_PREFIX): reason
        for entry in construct.node.metadata
        if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY
        for rule, reason in entry.data.items()
    }


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
