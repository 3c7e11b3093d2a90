"""The one HTTP API (API Gateway v2, payload format 2.0): every topology route, proxied to the function
that owns it.

- Routes. One route per topology route (`GET /products/{id}`), and a public `ANY <path>` route for
  every path (`infra.topology.path_owners`), integrated with the path's owner: the HTTP API picks the
  most specific route, so a declared method goes to its route and any other method to `ANY`, which
  the owner answers 405 with `Allow`. An unknown path is the HTTP API's own 404.
- Sign-in. A route the topology declares `signed_in` is behind a JWT authorizer that trusts the
  user pool (issuer `https://cognito-idp.<region>.amazonaws.com/<pool id>`, audience its app
  client): the HTTP API verifies the `Authorization` header's token (signature, issuer, audience,
  expiry) before the function runs, answers 401 otherwise, and hands the function the token's claims
  (`requestContext.authorizer.jwt.claims`); the function enforces the role. Every other route is
  public, for the reason infra.constants gives (PUBLIC_FUNCTIONS, PUBLIC_ROUTES), acknowledged to
  cdk-nag.
- The stage. `$default`, deployed by itself on every change, absent from URLs; throttled (rate and
  burst, every route), with JSON access logs.
- Invoking. One integration per function, reused by all of its routes, and one Lambda permission per
  function, for this API alone (any stage, method and path of it), rather than one per route. So the
  routes are CloudFormation's own (CfnRoute), each targeting its function's integration: CDK's
  HttpRoute takes an HttpLambdaIntegration, which makes its integration under the first route that
  uses it and, by default, a permission per route. For the same reason the authorizer is the
  HttpAuthorizer that HttpUserPoolAuthorizer would make (it binds only through an HttpRoute), with
  the issuer written as it writes it, and the pool's own app client as the audience.
- Compression is the functions' (their resolver gzips); the HTTP API passes answers on as they are.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Final

import jsii
from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs

# CDK's HTTP API stage takes its access log format as this class of the v1 module (no v2 equivalent).
from aws_cdk.aws_apigateway import AccessLogFormat
from constructs import Construct

from infra.constants import (
    API_THROTTLE_BURST_LIMIT,
    API_THROTTLE_RATE_LIMIT,
    AUTHORIZATION_HEADER,
    HTTP_API_STAGE,
    PUBLIC_FUNCTIONS,
    PUBLIC_ROUTES,
)
from infra.constructs import nag
from infra.constructs.naming import construct_id, stage_prefix
from infra.constructs.user_pools import TopologyUserPool, UserPools
from infra.topology import ANY_METHOD, USER_POOLS, Function, Route, all_routes, path_owners

API_GATEWAY_PRINCIPAL: Final = "apigateway.amazonaws.com"
# A route's authorization types (CloudFormation's AWS::ApiGatewayV2::Route AuthorizationType).
JWT: Final = "JWT"
NO_AUTHORIZATION: Final = "NONE"
# The HTTP API's request context variables, one JSON object a request. Every value is quoted: the
# HTTP API writes `-` for a value it does not have, which unquoted would not be JSON.
ACCESS_LOG_FIELDS: Final[Mapping[str, str]] = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "userAgent": "$context.identity.userAgent",
    "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod",
    "path": "$context.path",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency",
    "integrationStatus": "$context.integration.status",
    "integrationLatency": "$context.integration.latency",
    "integrationError": "$context.integration.error",
    "integrationErrorMessage": "$context.integrationErrorMessage",
    "authorizerError": "$context.authorizer.error",
    "error": "$context.error.message",
}


def access_log_format() -> str:
    return json.dumps(dict(ACCESS_LOG_FIELDS), separators=(",", ":"))


@jsii.implements(apigatewayv2.IAccessLogSettings)
class _AccessLogSettings:
    """Where and how the stage logs each request (CDK declares these settings as an interface,
    which Python implements with a class)."""

    def __init__(self, destination: apigatewayv2.IAccessLogDestination, format_: AccessLogFormat) -> None:
        self._destination = destination
        self._format = format_

    @property
    def destination(self) -> apigatewayv2.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> AccessLogFormat:
        return self._format


def route_key(method: str, path: str) -> str:
    """`GET /products/{id}`, as the HTTP API names a route (and the event's `routeKey`)."""
    return f"{method} {path}"


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id_: str,
        *,
        functions: Mapping[str, lambda_.IFunction],
        user_pools: UserPools,
        removal_policy: RemovalPolicy,
        access_log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, construct_id_)
        self.http_api = apigatewayv2.HttpApi(
            self,
            "HttpApi",
            api_name=stage_prefix(self),
            description="Shopfloor's HTTP API.",
            # The stage is made below, with its throttling and access logs.
            create_default_stage=False,
        )
        self.access_logs = logs.LogGroup(
            self, "AccessLogs", retention=access_log_retention, removal_policy=removal_policy
        )
        self.stage = apigatewayv2.HttpStage(
            self,
            "DefaultStage",
            http_api=self.http_api,
            stage_name=HTTP_API_STAGE,
            auto_deploy=True,
            throttle=apigatewayv2.ThrottleSettings(
                rate_limit=API_THROTTLE_RATE_LIMIT, burst_limit=API_THROTTLE_BURST_LIMIT
            ),
            # Count, 4xx, 5xx and latency by route too, not only for the whole API.
            detailed_metrics_enabled=True,
            access_log_settings=_AccessLogSettings(
                apigatewayv2.LogGroupLogDestination(self.access_logs),
                AccessLogFormat.custom(access_log_format()),
            ),
        )
        self.signing_pool = _signing_pool(user_pools)
        self.authorizer = apigatewayv2.HttpAuthorizer(
            self,
            "UserPoolAuthorizer",
            http_api=self.http_api,
            type=apigatewayv2.HttpAuthorizerType.JWT,
            identity_source=[f"$request.header.{AUTHORIZATION_HEADER}"],
            jwt_issuer=user_pool_issuer(self.signing_pool.user_pool),
            jwt_audience=[self.signing_pool.client.user_pool_client_id],
        )
        # The functions that serve a path; the others (workers, schedules) are not the API's to invoke.
        owners = path_owners()
        serving = {owner.name: functions[owner.name] for owner in owners.values()}
        self.integrations = {name: self._integrate(name, function) for name, function in serving.items()}
        # Every route, by its route key (`GET /products/{id}`, `ANY /products/{id}`).
        self.routes: dict[str, apigatewayv2.CfnRoute] = {}
        self._add_routes(all_routes())
        self._add_any_routes(owners)

    @property
    def url(self) -> str:
        """`https://<api id>.execute-api.<region>.<suffix>/`: the `$default` stage adds no path."""
        return self.stage.url

    def _integrate(self, name: str, function: lambda_.IFunction) -> apigatewayv2.HttpIntegration:
        """The function's one integration, which all its routes target, and its one permission: this
        API may invoke it from any stage, method and path (CDK's HttpLambdaIntegration would add a
        permission per route, and make the integration under the first route that uses it)."""
        function.add_permission(
            construct_id(name, "InvokePermission"),
            principal=iam.ServicePrincipal(API_GATEWAY_PRINCIPAL),
            source_arn=Stack.of(self).format_arn(
                service="execute-api", resource=self.http_api.api_id, resource_name="*/*"
            ),
            scope=self,
        )
        return apigatewayv2.HttpIntegration(
            self,
            construct_id(name, "Integration"),
            http_api=self.http_api,
            integration_type=apigatewayv2.HttpIntegrationType.AWS_PROXY,
            integration_uri=function.function_arn,
            payload_format_version=apigatewayv2.PayloadFormatVersion.VERSION_2_0,
        )

    def _add_routes(self, routes: Iterable[tuple[Route, Function]]) -> None:
        for route, function in routes:
            public_reason = public_route_reason(route, function)
            created = self._route(route.method, route.resource_path, function, signed_in=route.signed_in)
            if public_reason is not None:
                _acknowledge_public(created, f"{route.method} {route.resource_path}: {public_reason}")

    def _add_any_routes(self, owners: Mapping[str, Function]) -> None:
        for path, owner in owners.items():
            # Open even beside signed-in routes: a method nobody declared is 405 for everyone.
            created = self._route(ANY_METHOD, path, owner, signed_in=False)
            _acknowledge_public(
                created,
                f"{ANY_METHOD} {path} takes only the methods no route of the path declares; "
                f"{owner.name} answers them 405 with Allow, whoever asks, without reading anything.",
            )

    def _route(self, method: str, path: str, function: Function, *, signed_in: bool) -> apigatewayv2.CfnRoute:
        key = route_key(method, path)
        if key in self.routes:
            raise ValueError(f"{key} is declared twice")
        created = apigatewayv2.CfnRoute(
            self,
            construct_id(key, "Route"),
            api_id=self.http_api.api_id,
            route_key=key,
            target=f"integrations/{self.integrations[function.name].integration_id}",
            authorization_type=JWT if signed_in else NO_AUTHORIZATION,
            authorizer_id=self.authorizer.authorizer_id if signed_in else None,
        )
        self.routes[key] = created
        return created


def user_pool_issuer(pool: cognito.IUserPool) -> str:
    """The `iss` of the pool's tokens: `https://cognito-idp.<region>.amazonaws.com/<pool id>`."""
    return f"https://cognito-idp.{Stack.of(pool).region}.amazonaws.com/{pool.user_pool_id}"


def _signing_pool(user_pools: UserPools) -> TopologyUserPool:
    """The user pool whose tokens the signed-in routes take. A JWT authorizer trusts one issuer and a
    route names no pool: a second pool would need routes that say which pool signs them in."""
    if len(USER_POOLS) != 1:
        names = ", ".join(pool.name for pool in USER_POOLS) or "none"
        raise ValueError(f"the API's authorizer trusts exactly one user pool; the topology has: {names}")
    return user_pools.by_name[USER_POOLS[0].name]


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


def _acknowledge_public(route: apigatewayv2.CfnRoute, reason: str) -> None:
    # COG4 (a Cognito user-pool authorizer) looks at REST API methods only; on an HTTP API route,
    # APIG4 is the finding for a route without an authorizer.
    nag.acknowledge(route, nag.AUTHORIZATION, reason)
