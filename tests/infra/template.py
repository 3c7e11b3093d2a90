"""Read a synthesized CloudFormation template (as a dict) the way a reviewer would.

Other suites reuse these to compare the deployed wiring with the local cloud's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from infra.constants import FUNCTION_TAG

Template = Mapping[str, Any]

PROXY = "AWS_PROXY"
MOCK = "MOCK"
COGNITO_USER_POOLS = "COGNITO_USER_POOLS"
# The logical id CDK gives the singleton function of every BucketDeployment in a stack.
BUCKET_DEPLOYMENT_HANDLER = "CustomCDKBucketDeployment"


@dataclass(frozen=True)
class SynthesizedMethod:
    http_method: str
    path: str
    properties: Mapping[str, Any]

    @property
    def integration_type(self) -> str:
        return str(self.properties["Integration"]["Type"])

    @property
    def authorization_type(self) -> str:
        """NONE, COGNITO_USER_POOLS, ... (CloudFormation's default is NONE)."""
        return str(self.properties.get("AuthorizationType", "NONE"))


def resources_of_type(template: Template, resource_type: str) -> dict[str, Mapping[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


def resource_paths(template: Template) -> dict[str, str]:
    """The full path of every API Gateway resource (`/products/{id}`), by logical id."""
    parts = {
        logical_id: (resource["Properties"]["ParentId"], resource["Properties"]["PathPart"])
        for logical_id, resource in resources_of_type(template, "AWS::ApiGateway::Resource").items()
    }

    def path_of(logical_id: str) -> str:
        parent, part = parts[logical_id]
        prefix = "" if _is_root(parent) else path_of(parent["Ref"])
        return f"{prefix}/{part}"

    return {logical_id: path_of(logical_id) for logical_id in parts}


def methods(template: Template) -> Iterator[SynthesizedMethod]:
    paths = resource_paths(template)
    for resource in resources_of_type(template, "AWS::ApiGateway::Method").values():
        properties = resource["Properties"]
        owner = properties["ResourceId"]
        path = "/" if _is_root(owner) else paths[owner["Ref"]]
        yield SynthesizedMethod(properties["HttpMethod"], path, properties)


def synthesized_routes(template: Template) -> set[tuple[str, str]]:
    """(method, path) of every method proxied to a Lambda function, e.g. ("GET", "/products/{id}")."""
    return {
        (method.http_method, method.path) for method in methods(template) if method.integration_type == PROXY
    }


def signed_in_routes(template: Template) -> set[tuple[str, str]]:
    """(method, path) of every proxied method behind a Cognito user-pool authorizer."""
    return {
        (method.http_method, method.path)
        for method in methods(template)
        if method.integration_type == PROXY and method.authorization_type == COGNITO_USER_POOLS
    }


def cdk_function_logical_ids(template: Template) -> set[str]:
    """The Lambda functions CDK adds itself, which no topology entry declares: the handler of the
    site's BucketDeployment (infra.constructs.site), which uploads the pages at deploy time."""
    return {
        logical_id
        for logical_id in resources_of_type(template, "AWS::Lambda::Function")
        if logical_id.startswith(BUCKET_DEPLOYMENT_HANDLER)
    }


def function_logical_ids(template: Template) -> dict[str, str]:
    """The logical id of each Lambda function, by topology function name (from its tag)."""
    named: dict[str, str] = {}
    cdk_functions = cdk_function_logical_ids(template)
    for logical_id, resource in resources_of_type(template, "AWS::Lambda::Function").items():
        if logical_id in cdk_functions:
            continue
        tags = {tag["Key"]: tag["Value"] for tag in resource["Properties"].get("Tags", [])}
        named[tags[FUNCTION_TAG]] = logical_id
    return named


def function_environments(template: Template) -> dict[str, dict[str, object]]:
    """Each function's environment variables (values may be CloudFormation references), by name."""
    functions = template["Resources"]
    return {
        name: dict(functions[logical_id]["Properties"].get("Environment", {}).get("Variables", {}))
        for name, logical_id in function_logical_ids(template).items()
    }


def function_statements(template: Template, function_name: str) -> list[Mapping[str, Any]]:
    """Every IAM statement granted to the role of a function, by topology function name."""
    logical_id = function_logical_ids(template)[function_name]
    role = template["Resources"][logical_id]["Properties"]["Role"]["Fn::GetAtt"][0]
    return [
        statement
        for policy in resources_of_type(template, "AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def function_roles(template: Template, function_names: Iterable[str]) -> set[str]:
    """The logical ids of the roles of these functions."""
    ids = function_logical_ids(template)
    return {
        template["Resources"][ids[name]]["Properties"]["Role"]["Fn::GetAtt"][0] for name in function_names
    }


def roles_allowed(template: Template, action_prefix: str) -> set[str]:
    """The logical ids of the roles a policy of the template allows an action starting with
    `action_prefix` (e.g. "ses:")."""
    return {
        role["Ref"]
        for policy in resources_of_type(template, "AWS::IAM::Policy").values()
        if any(
            action.startswith(action_prefix)
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]
            for action in statement_actions(statement)
        )
        for role in policy["Properties"]["Roles"]
    }


def statement_actions(statement: Mapping[str, Any]) -> set[str]:
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


def statement_resources(statement: Mapping[str, Any]) -> list[Any]:
    resources = statement["Resource"]
    return resources if isinstance(resources, list) else [resources]


def actions_on(template: Template, function_name: str, resource: Any) -> set[str]:
    """What a function may do to one resource (given as its resolved ARN reference)."""
    return set().union(
        *(
            statement_actions(statement)
            for statement in function_statements(template, function_name)
            if statement["Effect"] == "Allow" and resource in statement_resources(statement)
        )
    )


def _is_root(reference: Mapping[str, Any]) -> bool:
    return "Fn::GetAtt" in reference and reference["Fn::GetAtt"][1] == "RootResourceId"
