"""Read a synthesized CloudFormation template (as a dict) the way a reviewer would.

Other suites reuse these to compare the deployed wiring with the local cloud's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from infra.constants import FUNCTION_TAG

Template = Mapping[str, Any]

# What a route needs: no sign-in, or the JWT authorizer's (CloudFormation's default is NONE).
NO_AUTHORIZATION = "NONE"
JWT = "JWT"
# The logical id CDK gives the singleton function of every BucketDeployment in a stack, and the one
# of the provider that empties a bucket before deleting it (auto_delete_objects: dev's buckets).
BUCKET_DEPLOYMENT_HANDLER = "CustomCDKBucketDeployment"
AUTO_DELETE_OBJECTS_HANDLER = "CustomS3AutoDeleteObjectsCustomResourceProviderHandler"
CDK_FUNCTION_PREFIXES = (BUCKET_DEPLOYMENT_HANDLER, AUTO_DELETE_OBJECTS_HANDLER)
_INTEGRATION_TARGET_PREFIX = "integrations/"


@dataclass(frozen=True)
class SynthesizedRoute:
    """An HTTP API route (AWS::ApiGatewayV2::Route), e.g. `GET /products/{id}` or `ANY /orders`."""

    logical_id: str
    properties: Mapping[str, Any]

    @property
    def key(self) -> str:
        return str(self.properties["RouteKey"])

    @property
    def method(self) -> str:
        return self.key.split(" ", 1)[0]

    @property
    def path(self) -> str:
        return self.key.split(" ", 1)[1]

    @property
    def authorization_type(self) -> str:
        return str(self.properties.get("AuthorizationType", NO_AUTHORIZATION))

    @property
    def integration_id(self) -> str:
        """The logical id of the integration the route targets (`integrations/<its id>`)."""
        prefix, reference = self.properties["Target"]["Fn::Join"][1]
        assert prefix == _INTEGRATION_TARGET_PREFIX, self.key
        return str(reference["Ref"])


def resources_of_type(template: Template, resource_type: str) -> dict[str, Mapping[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


def http_routes(template: Template) -> list[SynthesizedRoute]:
    return [
        SynthesizedRoute(logical_id, resource["Properties"])
        for logical_id, resource in resources_of_type(template, "AWS::ApiGatewayV2::Route").items()
    ]


def synthesized_routes(template: Template) -> set[tuple[str, str]]:
    """(method, path) of every route of the HTTP API, e.g. ("GET", "/products/{id}"), ("ANY", "/orders")."""
    return {(route.method, route.path) for route in http_routes(template)}


def signed_in_routes(template: Template) -> set[tuple[str, str]]:
    """(method, path) of every route behind a JWT authorizer."""
    return {(route.method, route.path) for route in http_routes(template) if route.authorization_type == JWT}


def invoked_function(template: Template, route: SynthesizedRoute) -> str:
    """The logical id of the Lambda function the route's integration invokes."""
    integration = template["Resources"][route.integration_id]["Properties"]
    return str(integration["IntegrationUri"]["Fn::GetAtt"][0])


def cdk_function_logical_ids(template: Template) -> set[str]:
    """The Lambda functions CDK adds itself, which no topology entry declares: the handler of the
    site's BucketDeployment (infra.constructs.site), which uploads the pages at deploy time, and,
    in a stage that destroys its data, the one that empties a bucket before it is deleted."""
    return {
        logical_id
        for logical_id in resources_of_type(template, "AWS::Lambda::Function")
        if logical_id.startswith(CDK_FUNCTION_PREFIXES)
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


# What a stage's stacks read of one another (cdk.json's weak cross-stack references): an output
# the producing stack publishes for the purpose, `Publish/Output...`, read with Fn::GetStackOutput.
GET_STACK_OUTPUT = "Fn::GetStackOutput"
CDK_METADATA = "CDKMetadata"
PUBLISHED_OUTPUT_PREFIX = "PublishOutput"
_SECTIONS = ("Parameters", "Conditions", "Resources", "Outputs")


def stage_template(templates: Mapping[str, Template]) -> dict[str, Any]:
    """A stage's stacks (by CloudFormation stack name) read as one template: their sections merged,
    each cross-stack read replaced by what it reads (the producer's published output's value, a
    Ref or a GetAtt of the producer's resource), and the published outputs left out: the wiring as
    CloudFormation resolves it, whichever stack holds each end. A resource's logical id is its
    stack's own: one that several stacks give a resource (what one construct path makes in each:
    `ObservabilityDashboardsDashboard...`, `RolloutApplication...`, CDK's singleton providers) is
    read as `<logical id>@<stack name>` in each of them, references included; any other id two
    stacks give different things is refused, as such a view could not say which is which."""
    shared = _resource_ids_of_several_stacks(templates)
    templates = {
        stack_name: _qualify(template, {logical_id: f"{logical_id}@{stack_name}" for logical_id in shared})
        for stack_name, template in templates.items()
    }
    published = {
        (stack_name, output_id): output["Value"]
        for stack_name, template in templates.items()
        for output_id, output in template.get("Outputs", {}).items()
        if output_id.startswith(PUBLISHED_OUTPUT_PREFIX)
    }
    merged: dict[str, Any] = {section: {} for section in _SECTIONS}
    for stack_name, template in templates.items():
        for section in _SECTIONS:
            for logical_id, value in template.get(section, {}).items():
                if section == "Outputs" and logical_id.startswith(PUBLISHED_OUTPUT_PREFIX):
                    continue
                if logical_id == CDK_METADATA:  # each stack's own report of its constructs
                    continue
                earlier = merged[section].get(logical_id)
                if earlier is not None and earlier != value:
                    raise ValueError(f"{section} {logical_id} of {stack_name} is another stack's too")
                merged[section][logical_id] = _resolve_stack_outputs(value, published)
    return merged


def _resource_ids_of_several_stacks(templates: Mapping[str, Template]) -> set[str]:
    seen: set[str] = set()
    shared: set[str] = set()
    for template in templates.values():
        for logical_id in template.get("Resources", {}):
            if logical_id == CDK_METADATA:
                continue
            (shared if logical_id in seen else seen).add(logical_id)
    return shared


_SUB_VARIABLE = re.compile(r"\$\{([^!}.][^}.]*)((?:\.[^}]*)?)\}")


def _qualify(template: Template, renamed: Mapping[str, str]) -> dict[str, Any]:
    """`template` with the resources of `renamed` (old logical id -> new) renamed, and every
    reference to them: Ref, Fn::GetAtt (both forms), DependsOn, Fn::Sub's ${...}."""
    if not renamed:
        return dict(template)

    def rename(logical_id: Any) -> Any:
        return renamed.get(logical_id, logical_id) if isinstance(logical_id, str) else logical_id

    def visit(value: Any) -> Any:
        if isinstance(value, dict):
            result: dict[str, Any] = {}
            for key, item in value.items():
                if key == "Ref":
                    result[key] = rename(item)
                elif key == "Fn::GetAtt" and isinstance(item, list):
                    result[key] = [rename(item[0]), *(visit(part) for part in item[1:])]
                elif key == "Fn::GetAtt" and isinstance(item, str):
                    logical_id, _, attribute = item.partition(".")
                    result[key] = f"{rename(logical_id)}.{attribute}"
                elif key == "DependsOn":
                    result[key] = rename(item) if isinstance(item, str) else [rename(i) for i in item]
                elif key == "Fn::Sub":
                    result[key] = _sub(item, renamed, visit)
                else:
                    result[key] = visit(item)
            return result
        if isinstance(value, list):
            return [visit(item) for item in value]
        return value

    qualified = {key: visit(section) for key, section in template.items() if key != "Resources"}
    qualified["Resources"] = {
        rename(logical_id): visit(resource) for logical_id, resource in template.get("Resources", {}).items()
    }
    return qualified


def _sub(value: Any, renamed: Mapping[str, str], visit: Any) -> Any:
    """Fn::Sub's text with its ${LogicalId} and ${LogicalId.Attribute} renamed (not its own variables)."""
    text, variables = (value, {}) if isinstance(value, str) else value
    local = {name: name for name in variables}

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"${{{({**renamed, **local}).get(name, name)}{match.group(2)}}}"

    replaced = _SUB_VARIABLE.sub(replace, text)
    return replaced if isinstance(value, str) else [replaced, visit(variables)]


def _resolve_stack_outputs(value: Any, published: Mapping[tuple[str, str], Any]) -> Any:
    if isinstance(value, dict):
        if set(value) == {GET_STACK_OUTPUT}:
            read = value[GET_STACK_OUTPUT]
            return published[(read["StackName"], read["OutputName"])]
        return {key: _resolve_stack_outputs(item, published) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve_stack_outputs(item, published) for item in value]
    return value


def stack_output_reads(value: Any) -> list[Mapping[str, Any]]:
    """What each `{"Fn::GetStackOutput": {...}}` in `value` (a template, or several) reads: its
    StackName, OutputName and Region, in document order."""
    if isinstance(value, Mapping):
        if GET_STACK_OUTPUT in value:
            return [value[GET_STACK_OUTPUT]]
        return [read for item in value.values() for read in stack_output_reads(item)]
    if isinstance(value, list):
        return [read for item in value for read in stack_output_reads(item)]
    return []


def stack_reads(template: Template) -> set[str]:
    """The stacks a template reads an output of (by stack name)."""
    return {str(read["StackName"]) for read in stack_output_reads(template)}
