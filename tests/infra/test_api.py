"""The HTTP API: every topology route and an `ANY` route per path reach the function that owns them
(payload format 2.0, one integration and one permission per function), the signed-in routes through
the user pool's JWT authorizer and the others open for a stated reason; the `$default` stage deploys
itself, throttles and logs JSON; no REST API is left.

The API is the edge stack's, named after its stage, and its routes reach the functions of every
stack of functions: what does not depend on which stack holds each end is read from the stage's
stacks as one (`template_dict`), where each route's function is its own stack's."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import Validations
from constructs import IConstruct

from infra import constants
from infra.constructs import nag
from infra.constructs.api import public_route_reason, route_key
from infra.stack import EDGE, ShopfloorStage
from infra.topology import (
    ANY_METHOD,
    FUNCTIONS,
    OPERATIONS_CONTEXT,
    SHOP_USERS,
    Function,
    Route,
    all_routes,
    path_owners,
)
from shopfloor.platform import errors
from tests.infra.template import (
    JWT,
    NO_AUTHORIZATION,
    function_logical_ids,
    http_routes,
    invoked_function,
    resources_of_type,
    signed_in_routes,
    stack_reads,
    synthesized_routes,
)

pytestmark = pytest.mark.infra

ANNOTATION_PREFIX = "Annotation::"
API_GATEWAY_PRINCIPAL = "apigateway.amazonaws.com"
# What an operator reads in each access log line (the HTTP API's $context variables).
ACCESS_LOG_FIELDS = {
    "requestId",
    "ip",
    "requestTime",
    "httpMethod",
    "routeKey",
    "status",
    "protocol",
    "responseLength",
    "integrationError",
    "integrationErrorMessage",
    "authorizerError",
}


def _declared() -> set[tuple[str, str]]:
    return {(route.method, route.resource_path) for route, _ in all_routes()}


def _declared_signed_in() -> set[tuple[str, str]]:
    return {(route.method, route.resource_path) for route, _ in all_routes() if route.signed_in}


def _any_routes() -> set[tuple[str, str]]:
    return {(ANY_METHOD, path) for path in path_owners()}


def _one(template_dict: dict[str, Any], resource_type: str) -> tuple[str, dict[str, Any]]:
    [(logical_id, resource)] = resources_of_type(template_dict, resource_type).items()
    return logical_id, dict(resource["Properties"])


def test_the_api_has_the_topology_routes_and_an_any_route_for_each_path(
    template_dict: dict[str, Any],
) -> None:
    routes = synthesized_routes(template_dict)

    assert routes == _declared() | _any_routes()
    assert ("GET", "/products/{id}") in routes
    assert ("ANY", "/products/{id}") in routes
    assert len(http_routes(template_dict)) == len(all_routes()) + len(path_owners())


def test_each_route_invokes_the_function_that_owns_it(template_dict: dict[str, Any]) -> None:
    logical_ids = function_logical_ids(template_dict)
    expected = {
        (route.method, route.resource_path): logical_ids[function.name] for route, function in all_routes()
    } | {(ANY_METHOD, path): logical_ids[owner.name] for path, owner in path_owners().items()}

    invoked = {
        (route.method, route.path): invoked_function(template_dict, route)
        for route in http_routes(template_dict)
    }

    assert invoked == expected


def test_every_integration_is_a_lambda_proxy_with_payload_format_2(template_dict: dict[str, Any]) -> None:
    integrations = resources_of_type(template_dict, "AWS::ApiGatewayV2::Integration").values()

    assert integrations
    for integration in integrations:
        assert integration["Properties"]["IntegrationType"] == "AWS_PROXY"
        assert integration["Properties"]["PayloadFormatVersion"] == "2.0"


def test_each_function_has_one_integration_for_all_its_routes(template_dict: dict[str, Any]) -> None:
    integrations = resources_of_type(template_dict, "AWS::ApiGatewayV2::Integration").values()
    invoked = [integration["Properties"]["IntegrationUri"]["Fn::GetAtt"][0] for integration in integrations]
    logical_ids = function_logical_ids(template_dict)

    assert sorted(invoked) == sorted({logical_ids[owner.name] for owner in path_owners().values()})


def test_the_api_may_invoke_each_of_its_functions_through_one_permission_scoped_to_it(
    template_dict: dict[str, Any],
) -> None:
    api_id, _ = _one(template_dict, "AWS::ApiGatewayV2::Api")
    logical_ids = function_logical_ids(template_dict)
    permissions = [
        resource["Properties"]
        for resource in resources_of_type(template_dict, "AWS::Lambda::Permission").values()
        if resource["Properties"]["Principal"] == API_GATEWAY_PRINCIPAL
    ]

    assert sorted(permission["FunctionName"]["Fn::GetAtt"][0] for permission in permissions) == sorted(
        {logical_ids[owner.name] for owner in path_owners().values()}
    )
    for permission in permissions:
        assert permission["Action"] == "lambda:InvokeFunction"
        # arn:<partition>:execute-api:<region>:<account>:<this API's id>/*/* (any stage, method, path).
        parts = permission["SourceArn"]["Fn::Join"][1]
        assert parts[0] == "arn:"
        assert ":execute-api:" in parts
        assert parts[-2:] == [{"Ref": api_id}, "/*/*"]


def test_exactly_the_signed_in_routes_are_behind_the_jwt_authorizer(template_dict: dict[str, Any]) -> None:
    authorizer_id, _ = _one(template_dict, "AWS::ApiGatewayV2::Authorizer")
    declared = _declared_signed_in()

    assert declared
    assert signed_in_routes(template_dict) == declared
    for route in http_routes(template_dict):
        if (route.method, route.path) in declared:
            assert route.authorization_type == JWT, route.key
            assert route.properties["AuthorizerId"] == {"Ref": authorizer_id}, route.key
        else:
            assert route.authorization_type == NO_AUTHORIZATION, route.key
            assert "AuthorizerId" not in route.properties, route.key
        # No scopes: the authorizer checks the token, the function the caller's groups.
        assert "AuthorizationScopes" not in route.properties, route.key


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


def test_a_method_nobody_declared_reaches_the_paths_owner_without_a_token(
    template_dict: dict[str, Any],
) -> None:
    any_routes = [route for route in http_routes(template_dict) if route.method == ANY_METHOD]

    assert {route.path for route in any_routes} >= {"/orders", "/users/me", "/menu/products/{id}"}
    assert all(route.authorization_type == NO_AUTHORIZATION for route in any_routes)


def test_the_authorizer_trusts_the_shop_users_pool_for_its_app_client_from_the_authorization_header(
    template_dict: dict[str, Any], stage: ShopfloorStage
) -> None:
    """The pool is the data stack's, read by the edge stack's authorizer."""
    api_id, _ = _one(template_dict, "AWS::ApiGatewayV2::Api")
    _, properties = _one(template_dict, "AWS::ApiGatewayV2::Authorizer")
    pool = stage.data.user_pools.by_name[SHOP_USERS.name]

    assert properties["ApiId"] == {"Ref": api_id}
    assert properties["AuthorizerType"] == JWT
    assert properties["IdentitySource"] == [f"$request.header.{constants.AUTHORIZATION_HEADER}"]
    assert properties["JwtConfiguration"] == {
        "Issuer": {
            "Fn::Join": [
                "",
                [
                    "https://cognito-idp.",
                    {"Ref": "AWS::Region"},
                    ".amazonaws.com/",
                    stage.data.resolve(pool.user_pool.user_pool_id),
                ],
            ]
        },
        "Audience": [stage.data.resolve(pool.client.user_pool_client_id)],
    }


def test_the_default_stage_deploys_itself_and_throttles_every_route(template_dict: dict[str, Any]) -> None:
    api_id, _ = _one(template_dict, "AWS::ApiGatewayV2::Api")
    _, stage = _one(template_dict, "AWS::ApiGatewayV2::Stage")

    assert stage["ApiId"] == {"Ref": api_id}
    assert stage["StageName"] == constants.HTTP_API_STAGE == "$default"
    assert stage["AutoDeploy"] is True
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] == constants.API_THROTTLE_RATE_LIMIT
    assert stage["DefaultRouteSettings"]["ThrottlingBurstLimit"] == constants.API_THROTTLE_BURST_LIMIT
    assert "RouteSettings" not in stage


def test_the_stage_logs_each_request_as_json_to_a_log_group_with_a_retention(
    template_dict: dict[str, Any],
) -> None:
    _, stage = _one(template_dict, "AWS::ApiGatewayV2::Stage")
    settings = stage["AccessLogSettings"]
    [log_group_id, attribute] = settings["DestinationArn"]["Fn::GetAtt"]
    log_group = template_dict["Resources"][log_group_id]

    fields = json.loads(settings["Format"])

    assert set(fields) >= ACCESS_LOG_FIELDS
    assert fields["requestId"] == "$context.requestId"
    assert fields["routeKey"] == "$context.routeKey"
    assert fields["authorizerError"] == "$context.authorizer.error"
    assert all(isinstance(value, str) and value.startswith("$context.") for value in fields.values())
    assert (log_group["Type"], attribute) == ("AWS::Logs::LogGroup", "Arn")
    assert log_group["Properties"]["RetentionInDays"] > 0


def test_no_rest_api_is_left(template_dict: dict[str, Any]) -> None:
    left = {resource["Type"] for resource in template_dict["Resources"].values()}

    assert not {kind for kind in left if kind.startswith("AWS::ApiGateway::")}
    assert "AWS::ApiGatewayV2::Api" in left


def test_the_api_is_an_http_api_on_its_default_endpoint(template_dict: dict[str, Any]) -> None:
    _, api = _one(template_dict, "AWS::ApiGatewayV2::Api")

    assert api["ProtocolType"] == "HTTP"
    # CloudFront reaches the API on its execute-api endpoint (infra.constructs.site).
    assert api.get("DisableExecuteApiEndpoint") is not True
    assert "CorsConfiguration" not in api  # the pages and the API share CloudFront's domain


def test_the_api_url_is_the_default_stages_with_no_stage_in_its_path_an_output_of_the_edge_stack(
    templates: dict[str, dict[str, Any]], stage: ShopfloorStage
) -> None:
    edge = templates[stage.edge.stack_name]
    api_id, _ = _one(edge, "AWS::ApiGatewayV2::Api")
    output = edge["Outputs"][constants.API_URL_OUTPUT]

    assert output["Value"] == {
        "Fn::Join": [
            "",
            [
                "https://",
                {"Ref": api_id},
                ".execute-api.",
                {"Ref": "AWS::Region"},
                ".",
                {"Ref": "AWS::URLSuffix"},
                "/",
            ],
        ]
    }
    assert "HTTP API" in output["Description"]
    assert [
        name
        for name, template in templates.items()
        if constants.API_URL_OUTPUT in template.get("Outputs", {})
    ] == [stage.edge.stack_name]


def test_the_api_and_its_permissions_are_the_edge_stacks_and_reach_every_stack_of_functions(
    templates: dict[str, dict[str, Any]], stage: ShopfloorStage
) -> None:
    """The routes, integrations, authorizer and stage, and each function's permission for the API
    (which names the API): all in the edge stack, which reads the functions of the others."""
    edge = templates[stage.edge.stack_name]
    elsewhere = {
        f"{name}: {logical_id}"
        for name, template in templates.items()
        if name != stage.edge.stack_name
        for logical_id, resource in template["Resources"].items()
        if resource["Type"].startswith("AWS::ApiGateway")
        or resource.get("Properties", {}).get("Principal") == API_GATEWAY_PRINCIPAL
    }
    kinds = {resource["Type"] for resource in edge["Resources"].values()}
    serving = {stage.stack_of_function[owner.name].stack_name for owner in path_owners().values()}

    assert elsewhere == set()
    assert {
        "AWS::ApiGatewayV2::Api",
        "AWS::ApiGatewayV2::Route",
        "AWS::ApiGatewayV2::Integration",
        "AWS::ApiGatewayV2::Authorizer",
        "AWS::ApiGatewayV2::Stage",
    } <= kinds
    assert serving == {stack.stack_name for stack in stage.function_stacks}
    assert serving - {stage.edge.stack_name} <= stack_reads(edge)


def test_the_api_is_named_after_its_stage(
    templates: dict[str, dict[str, Any]],
    prod_templates: dict[str, dict[str, Any]],
    stage: ShopfloorStage,
    prod_stage: ShopfloorStage,
) -> None:
    """Whichever stack holds it, and never one name for two stages of one account."""
    names = {
        settings.name: _one(stage_templates[settings.stack_name(EDGE)], "AWS::ApiGatewayV2::Api")[1]["Name"]
        for stage_templates, settings in ((templates, stage.settings), (prod_templates, prod_stage.settings))
    }

    assert names == {stage.settings.name: "Shopfloor-Dev", prod_stage.settings.name: "Shopfloor-Prod"}
    assert names == {settings.name: settings.prefix for settings in (stage.settings, prod_stage.settings)}


def test_route_keys_are_the_method_and_path() -> None:
    assert route_key("GET", "/products/{id}") == "GET /products/{id}"
    assert route_key(ANY_METHOD, "/orders") == "ANY /orders"


def test_only_public_routes_acknowledge_having_no_authorizer(stage: ShopfloorStage) -> None:
    """cdk-nag is told why each public route has no authorizer; a signed-in one has nothing to say."""
    signed_in = {route_key(method, path) for method, path in _declared_signed_in()}
    api = stage.edge.api

    assert set(api.routes) == {route_key(method, path) for method, path in _declared() | _any_routes()}
    for key, route in api.routes.items():
        acknowledged = set(_acknowledged(route))
        assert (nag.AUTHORIZATION in acknowledged) == (key not in signed_in), key
        for ancestor in route.node.scopes[:-1]:
            assert nag.AUTHORIZATION not in _acknowledged(ancestor), ancestor.node.path


def test_each_public_shop_route_has_its_own_reason(stage: ShopfloorStage) -> None:
    for (method, path), reason in constants.PUBLIC_ROUTES.items():
        route = stage.edge.api.routes[route_key(method, path)]

        assert _acknowledged(route)[nag.AUTHORIZATION] == f"{method} {path}: {reason}"


def test_each_any_route_says_it_only_answers_405(stage: ShopfloorStage) -> None:
    for path, owner in path_owners().items():
        reason = _acknowledged(stage.edge.api.routes[route_key(ANY_METHOD, path)])[nag.AUTHORIZATION]

        assert reason.startswith(f"{ANY_METHOD} {path} "), path
        assert f"{owner.name} answers them 405" in reason, path


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
    function = Function(
        name="secret-menu",
        description="...",
        context=OPERATIONS_CONTEXT,
        routes=(Route("GET", "/secret-menu"),),
    )

    with pytest.raises(ValueError, match="GET /secret-menu"):
        public_route_reason(function.routes[0], function)


def test_a_signed_in_route_with_a_public_reason_is_refused() -> None:
    route = Route("DELETE", "/products/{id}", signed_in=True)
    function = Function(name="products", description="...", context=OPERATIONS_CONTEXT, routes=(route,))

    with pytest.raises(ValueError, match="signed in"):
        public_route_reason(route, function)


def test_the_handlers_messages_are_the_constants() -> None:
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
