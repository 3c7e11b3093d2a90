"""The one REST API (API Gateway v1): every topology route, proxied to the function that owns it.

A route the topology declares `signed_in` is behind the Cognito user-pool authorizer: API Gateway
verifies the `Authorization` header's ID token (signature, issuer, expiry) against the pool before
the function runs, answers 401 otherwise, and hands the function the token's claims
(`requestContext.authorizer.claims`); the function enforces the role. Every other route is public,
for the reason infra.constants gives (PUBLIC_FUNCTIONS, PUBLIC_ROUTES), acknowledged to cdk-nag.

What API Gateway answers itself speaks the project's error envelope `{"message": ...}`:
- an unknown path (API Gateway's MISSING_AUTHENTICATION_TOKEN) is a 404;
- a known path with a method nobody declared is a 405, from an `ANY` mock on that resource
  (API Gateway prefers a resource's specific methods over its `ANY`);
- throttling, authorisation (401 no or bad token, 403 denied) and API Gateway's own failures,
  through gateway responses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from aws_cdk import Duration, RemovalPolicy, Size, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constants import (
    API_MIN_COMPRESSION_BYTES,
    API_STAGE,
    API_THROTTLE_BURST_LIMIT,
    API_THROTTLE_RATE_LIMIT,
    AUTHORIZATION_HEADER,
    AUTHORIZER_CACHE_SECONDS,
    JSON,
    MESSAGE_FORBIDDEN,
    MESSAGE_INTERNAL_ERROR,
    MESSAGE_METHOD_NOT_ALLOWED,
    MESSAGE_NOT_FOUND,
    MESSAGE_TOO_MANY_REQUESTS,
    MESSAGE_UNAUTHORIZED,
    MOCK_REQUEST_CONTENT_TYPES,
    PUBLIC_FUNCTIONS,
    PUBLIC_ROUTES,
)
from infra.constructs import nag
from infra.constructs.naming import construct_id
from infra.constructs.user_pools import UserPools
from infra.topology import USER_POOLS, Function, Route, all_routes

ACCESS_LOG_RETENTION = logs.RetentionDays.THREE_MONTHS
METHOD_NOT_ALLOWED_STATUS = "405"
_PATH_PARAMETER = re.compile(r"{([^}+]+)\+?}")
# API Gateway puts its own quoted, escaped message in this variable (a JSON string literal).
_API_GATEWAY_MESSAGE = "$context.error.messageString"


@dataclass(frozen=True)
class GatewayResponse:
    type: apigateway.ResponseType
    body: str
    status_code: str | None = None  # None keeps the status API Gateway chose (e.g. 413, 502, 504)


def _envelope(message: str) -> str:
    return json.dumps({"message": message})


GATEWAY_RESPONSES: tuple[GatewayResponse, ...] = (
    GatewayResponse(
        apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, _envelope(MESSAGE_NOT_FOUND), "404"
    ),
    GatewayResponse(apigateway.ResponseType.RESOURCE_NOT_FOUND, _envelope(MESSAGE_NOT_FOUND), "404"),
    GatewayResponse(apigateway.ResponseType.THROTTLED, _envelope(MESSAGE_TOO_MANY_REQUESTS), "429"),
    GatewayResponse(apigateway.ResponseType.UNAUTHORIZED, _envelope(MESSAGE_UNAUTHORIZED), "401"),
    GatewayResponse(apigateway.ResponseType.ACCESS_DENIED, _envelope(MESSAGE_FORBIDDEN), "403"),
    GatewayResponse(apigateway.ResponseType.DEFAULT_4_XX, f'{{"message": {_API_GATEWAY_MESSAGE}}}'),
    GatewayResponse(apigateway.ResponseType.DEFAULT_5_XX, _envelope(MESSAGE_INTERNAL_ERROR)),
)


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id_: str,
        *,
        functions: Mapping[str, lambda_.IFunction],
        user_pools: UserPools,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id_)
        access_logs = logs.LogGroup(
            self, "AccessLogs", retention=ACCESS_LOG_RETENTION, removal_policy=removal_policy
        )
        self.rest_api = apigateway.RestApi(
            self,
            "RestApi",
            rest_api_name=Stack.of(self).stack_name,
            description="Shopfloor's HTTP API.",
            endpoint_types=[apigateway.EndpointType.REGIONAL],
            # Gzipped when the client accepts it (CloudFront passes the viewer's Accept-Encoding on).
            min_compression_size=Size.bytes(API_MIN_COMPRESSION_BYTES),
            # Stage logging needs the account's API Gateway CloudWatch role; this creates it.
            cloud_watch_role=True,
            deploy_options=apigateway.StageOptions(
                stage_name=API_STAGE,
                tracing_enabled=True,
                metrics_enabled=True,
                logging_level=apigateway.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,  # it would log full request and response bodies
                access_log_destination=apigateway.LogGroupLogDestination(access_logs),
                access_log_format=apigateway.AccessLogFormat.json_with_standard_fields(
                    caller=True,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
                throttling_rate_limit=API_THROTTLE_RATE_LIMIT,
                throttling_burst_limit=API_THROTTLE_BURST_LIMIT,
            ),
        )
        # Bodies are validated by each handler (pydantic, answering 422 in the project's envelope);
        # API Gateway checks that the declared path parameters are present.
        self._validator = self.rest_api.add_request_validator(
            "RequestValidator", validate_request_body=True, validate_request_parameters=True
        )
        self.authorizer = apigateway.CognitoUserPoolsAuthorizer(
            self,
            "UserPoolAuthorizer",
            cognito_user_pools=[user_pools.by_name[pool.name].user_pool for pool in USER_POOLS],
            identity_source=apigateway.IdentitySource.header(AUTHORIZATION_HEADER),
            results_cache_ttl=Duration.seconds(AUTHORIZER_CACHE_SECONDS),
        )
        self._add_routes(all_routes(), functions)
        for response in GATEWAY_RESPONSES:
            self.rest_api.add_gateway_response(
                construct_id(response.type.response_type.lower()),
                type=response.type,
                status_code=response.status_code,
                templates={JSON: response.body},
            )
        self._acknowledge_findings()

    @property
    def url(self) -> str:
        return self.rest_api.url

    def _add_routes(
        self, routes: Iterable[tuple[Route, Function]], functions: Mapping[str, lambda_.IFunction]
    ) -> None:
        integrations: dict[str, apigateway.LambdaIntegration] = {}
        resources: dict[str, apigateway.IResource] = {}
        for route, function in routes:
            if function.name not in integrations:
                integrations[function.name] = apigateway.LambdaIntegration(
                    functions[function.name], proxy=True, allow_test_invoke=False
                )
            integration = integrations[function.name]
            resource = self.rest_api.root.resource_for_path(route.resource_path)
            resources[route.resource_path] = resource
            public_reason = public_route_reason(route, function)
            method = resource.add_method(
                route.method,
                integration,
                request_validator=self._validator,
                request_parameters=_required_path_parameters(route.resource_path),
                authorizer=self.authorizer if route.signed_in else None,
                authorization_type=apigateway.AuthorizationType.COGNITO
                if route.signed_in
                else apigateway.AuthorizationType.NONE,
            )
            if public_reason is not None:
                _acknowledge_public(method, f"{route.method} {route.resource_path}: {public_reason}")
        for path, routed_resource in resources.items():
            # Open even beside signed-in methods: a method nobody declared is 405 for everyone.
            mock = routed_resource.add_method(
                "ANY",
                _method_not_allowed_integration(),
                method_responses=[apigateway.MethodResponse(status_code=METHOD_NOT_ALLOWED_STATUS)],
                authorization_type=apigateway.AuthorizationType.NONE,
            )
            _acknowledge_public(mock, f"ANY {path} is a mock that answers 405 and reaches no backend.")

    def _acknowledge_findings(self) -> None:
        nag.acknowledge(
            self.rest_api.deployment_stage,
            nag.WAF,
            "No WAF web ACL yet: the stage throttles every method (rate and burst limits), every "
            "handler validates its input, and a web ACL adds a fixed monthly cost the project has "
            "not taken on. Revisit before the shop's sign-in routes take real traffic.",
        )
        nag.acknowledge(
            self.rest_api.node.find_child("CloudWatchRole"),
            nag.API_GATEWAY_LOGS_MANAGED_POLICY,
            "AmazonAPIGatewayPushToCloudWatchLogs is the policy AWS documents for the account-wide "
            "role API Gateway uses to write execution and access logs; it lets API Gateway create "
            "its own log groups, whose names are not known in advance.",
        )


def public_route_reason(route: Route, function: Function) -> str | None:
    """Why a route needs no sign-in (infra.constants), or None for a signed-in route. A public route
    without a reason, or a signed-in one with one, is a mistake in the declarations: refused."""
    route_reason = PUBLIC_ROUTES.get((route.method, route.resource_path))
    function_reason = PUBLIC_FUNCTIONS.get(function.name)
    where = f"{route.method} {route.resource_path} ({function.name})"
    if route.signed_in:
        if route_reason is not None or function_reason is not None:
            raise ValueError(f"{where} is signed in, but infra.constants gives a reason for it to be public")
        return None
    if route_reason is not None and function_reason is not None:
        raise ValueError(f"{where}: PUBLIC_ROUTES and PUBLIC_FUNCTIONS both give a reason; keep one")
    reason = route_reason or function_reason
    if reason is None:
        raise ValueError(
            f"{where} needs no sign-in, but infra.constants (PUBLIC_ROUTES or PUBLIC_FUNCTIONS) gives no "
            "reason: declare it signed_in in the topology, or say why it is public"
        )
    return reason


def _required_path_parameters(path: str) -> dict[str, bool] | None:
    """`/products/{id}` -> {"method.request.path.id": True}, checked by the request validator."""
    names = _PATH_PARAMETER.findall(path)
    return {f"method.request.path.{name}": True for name in names} or None


def _method_not_allowed_integration() -> apigateway.MockIntegration:
    return apigateway.MockIntegration(
        request_templates={
            content_type: json.dumps({"statusCode": int(METHOD_NOT_ALLOWED_STATUS)})
            for content_type in MOCK_REQUEST_CONTENT_TYPES
        },
        # Another content type is refused (415 in the envelope) rather than passed to the mock.
        passthrough_behavior=apigateway.PassthroughBehavior.NEVER,
        integration_responses=[
            apigateway.IntegrationResponse(
                status_code=METHOD_NOT_ALLOWED_STATUS,
                response_templates={JSON: _envelope(MESSAGE_METHOD_NOT_ALLOWED)},
            )
        ],
    )


def _acknowledge_public(method: apigateway.Method, reason: str) -> None:
    nag.acknowledge(method, nag.AUTHORIZATION, reason)
    nag.acknowledge(method, nag.COGNITO_AUTHORIZER, reason)
