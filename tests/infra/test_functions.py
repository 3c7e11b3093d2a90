"""Functions: one per topology entry, each in its context's stack, on arm64 Python, traced,
JSON-logged, granted only their tables."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest

from infra.constants import PYTHON_VERSION
from infra.constructs.email import context_values_from_context
from infra.constructs.layers import RUNTIME
from infra.constructs.services import service_urls_from_context
from infra.stack import DataStack, FunctionsStack, ShopfloorStage
from infra.topology import (
    FUNCTIONS,
    HANDLER,
    ID_BLOCK_SIZE,
    IDEMPOTENCY_TTL_SECONDS,
    TABLES,
    TABLES_BY_NAME,
    WARRANTY_ARCHIVE,
    Access,
    Function,
    function_environment,
)
from tests.infra.template import (
    AUTO_DELETE_OBJECTS_HANDLER,
    BUCKET_DEPLOYMENT_HANDLER,
    GET_STACK_OUTPUT,
    cdk_function_logical_ids,
    function_environments,
    function_logical_ids,
    function_statements,
    resources_of_type,
    statement_actions,
    statement_resources,
)

pytestmark = pytest.mark.infra

XRAY_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
# Lambda checks for it when it creates a stream event source; it lists stream ARNs, not records.
LIST_STREAMS = "dynamodb:ListStreams"
WRITE_ACTIONS = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}


def _table_arn(data: DataStack, name: str) -> Any:
    return data.resolve(data.tables.by_name[name].table_arn)


def _function(template_dict: dict[str, Any], function: Function) -> dict[str, Any]:
    logical_id = function_logical_ids(template_dict)[function.name]
    return dict(template_dict["Resources"][logical_id]["Properties"])


def _cdk_handlers(template: dict[str, Any]) -> list[str]:
    """The kinds of CDK's own functions in a template (which of CDK_FUNCTION_PREFIXES), sorted."""
    return sorted(
        BUCKET_DEPLOYMENT_HANDLER
        if logical_id.startswith(BUCKET_DEPLOYMENT_HANDLER)
        else AUTO_DELETE_OBJECTS_HANDLER
        for logical_id in cdk_function_logical_ids(template)
    )


def test_there_is_one_function_per_topology_entry(template_dict: dict[str, Any]) -> None:
    assert set(function_logical_ids(template_dict)) == {function.name for function in FUNCTIONS}


def test_each_function_lives_in_the_stack_of_its_context(stage: ShopfloorStage) -> None:
    """A context with a stack of its own holds its functions there; the operations context's (health,
    docs) are the edge's."""
    for function in FUNCTIONS:
        expected = stage.contexts.get(function.context.name, stage.edge)

        assert stage.stack_of_function[function.name] is expected, function.name
        assert function.context in expected.contexts, function.name
    assert set(stage.stack_of_function) == {function.name for function in FUNCTIONS}


def test_each_stack_holds_its_functions_and_cdks_handlers_only(
    stage: ShopfloorStage, templates: dict[str, dict[str, Any]]
) -> None:
    """Besides the topology's functions, CDK's handlers, which run at deploy time only: the site's
    BucketDeployment's, and the one that empties a bucket before it is deleted, in each stack with
    such a bucket: dev's data stack (dev destroys its data) and the edge in every stage (the site's
    bucket is build output, deleted with the stack everywhere: that one is new with the split)."""
    handlers = {
        stage.data.stack_name: [AUTO_DELETE_OBJECTS_HANDLER],
        stage.edge.stack_name: sorted((AUTO_DELETE_OBJECTS_HANDLER, BUCKET_DEPLOYMENT_HANDLER)),
    }

    for stack in stage.stacks:
        template = templates[stack.stack_name]
        declared = (
            {function.name for function in stack.functions.declared}
            if isinstance(stack, FunctionsStack)
            else set()
        )

        assert set(function_logical_ids(template)) == declared, stack.stack_name
        assert _cdk_handlers(template) == handlers.get(stack.stack_name, []), stack.stack_name
        assert len(resources_of_type(template, "AWS::Lambda::Function")) == len(declared) + len(
            handlers.get(stack.stack_name, [])
        ), stack.stack_name


def test_prod_empties_no_bucket_but_the_sites(
    prod_stage: ShopfloorStage, prod_templates: dict[str, dict[str, Any]]
) -> None:
    """Prod retains its data: the only provider that empties a bucket is the edge's, for the site's
    bucket (build output)."""
    for stack in prod_stage.stacks:
        expected = (
            sorted((AUTO_DELETE_OBJECTS_HANDLER, BUCKET_DEPLOYMENT_HANDLER))
            if stack is prod_stage.edge
            else []
        )

        assert _cdk_handlers(prod_templates[stack.stack_name]) == expected, stack.stack_name


def test_the_runtime_runs_the_wheels_the_dependency_layer_is_built_for() -> None:
    assert RUNTIME.name == f"python{PYTHON_VERSION}"


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda function: function.name)
def test_each_function_runs_as_the_topology_declares(
    template_dict: dict[str, Any], function: Function
) -> None:
    properties = _function(template_dict, function)

    assert properties["Runtime"] == f"python{PYTHON_VERSION}"
    assert properties["Architectures"] == ["arm64"]
    assert properties["Handler"] == HANDLER
    assert (properties["MemorySize"], properties["Timeout"]) == (function.memory_mb, function.timeout_seconds)
    assert properties["TracingConfig"] == {"Mode": "Active"}
    assert len(properties["Layers"]) == 3  # dependencies, platform, its context: tests/infra/test_layers.py


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda function: function.name)
def test_each_function_logs_json_to_its_own_log_group_with_a_retention(
    template_dict: dict[str, Any], function: Function
) -> None:
    logging = _function(template_dict, function)["LoggingConfig"]

    assert logging["LogFormat"] == "JSON"
    assert logging["ApplicationLogLevel"] == "INFO"
    log_group = template_dict["Resources"][logging["LogGroup"]["Ref"]]
    assert log_group["Type"] == "AWS::Logs::LogGroup"
    assert log_group["Properties"]["RetentionInDays"] > 0


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda function: function.name)
def test_each_function_has_exactly_the_topology_environment(
    template_dict: dict[str, Any], stage: ShopfloorStage, function: Function
) -> None:
    """Read across the stacks: what the data stack holds reaches a function through its stack's
    output (the merged view reads it as the data stack's reference), a queue is its stack's own."""
    data = stage.data
    stack = stage.stack_of_function[function.name]
    table_references = {name: data.resolve(table.table_name) for name, table in data.tables.by_name.items()}
    queue_references = {
        name: data.resolve(queue.queue.queue_url)
        for function_stack in stage.function_stacks
        for name, queue in function_stack.queues.by_name.items()
    }
    secret_references = {
        name: data.resolve(secret.secret_arn) for name, secret in data.secrets.by_name.items()
    }
    bucket_references = {
        name: data.resolve(bucket.bucket_name) for name, bucket in data.buckets.by_name.items()
    }
    user_pool_references = {
        name: (
            data.resolve(created.user_pool.user_pool_id),
            data.resolve(created.client.user_pool_client_id),
        )
        for name, created in data.user_pools.by_name.items()
    }

    assert function_environments(template_dict)[function.name] == function_environment(
        function,
        table_references,
        queue_urls=queue_references,
        secret_ids=secret_references,
        service_urls=service_urls_from_context(stack),
        bucket_names=bucket_references,
        user_pools=user_pool_references,
        event_buses={
            name: data.resolve(created.event_bus.event_bus_name)
            for name, created in data.event_buses.by_name.items()
        },
        email_senders=data.email_senders.addresses,
        context_values=context_values_from_context(stack),
    )


def test_the_warranties_function_gets_its_tables_and_the_idempotency_ttl(
    template_dict: dict[str, Any], stage: ShopfloorStage
) -> None:
    environment = function_environments(template_dict)["warranties"]

    for table in ("warranties", "stores", "items", "ids", "idempotency"):
        assert environment[TABLES_BY_NAME[table].env_var] == stage.data.resolve(
            stage.data.tables.by_name[table].table_name
        ), table
    assert environment["IDEMPOTENCY_TTL_SECONDS"] == str(IDEMPOTENCY_TTL_SECONDS)
    assert environment["ID_BLOCK_SIZE"] == str(ID_BLOCK_SIZE)


def test_the_warranty_archiver_gets_the_archive_bucket_name(
    template_dict: dict[str, Any], stage: ShopfloorStage, templates: dict[str, dict[str, Any]]
) -> None:
    """The bucket is the data stack's: the archiver's stack reads its name from the data stack's output."""
    environment = function_environments(template_dict)["warranty-archiver"]
    own_environment = function_environments(
        templates[stage.stack_of_function["warranty-archiver"].stack_name]
    )

    assert environment[WARRANTY_ARCHIVE.env_var] == stage.data.resolve(
        stage.data.buckets.by_name[WARRANTY_ARCHIVE.name].bucket_name
    )
    assert own_environment["warranty-archiver"][WARRANTY_ARCHIVE.env_var] == {
        GET_STACK_OUTPUT: {
            "StackName": stage.data.stack_name,
            "Region": mock.ANY,
            "OutputName": mock.ANY,
        }
    }
    assert WARRANTY_ARCHIVE.env_var == "WARRANTY_ARCHIVE_BUCKET_NAME"


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda function: function.name)
def test_each_function_may_touch_only_the_tables_it_names(
    template_dict: dict[str, Any], stage: ShopfloorStage, function: Function
) -> None:
    statements = function_statements(template_dict, function.name)

    for table in TABLES:
        arn = _table_arn(stage.data, table.name)
        actions = set().union(*(statement_actions(s) for s in statements if arn in statement_resources(s)))
        access = function.tables.get(table.name)
        if access is None:
            assert not actions, table.name
        elif access is Access.READ:
            assert "dynamodb:GetItem" in actions
            assert not actions & WRITE_ACTIONS, table.name
        else:
            assert actions >= WRITE_ACTIONS, table.name


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda function: function.name)
def test_each_function_may_query_the_indexes_of_the_tables_it_names_as_it_may_the_table(
    template_dict: dict[str, Any], stage: ShopfloorStage, function: Function
) -> None:
    """CDK's table grants name `<table ARN>/index/*` beside the table when it has indexes."""
    statements = function_statements(template_dict, function.name)

    for table in TABLES:
        if not table.indexes:
            continue
        table_arn = _table_arn(stage.data, table.name)
        indexes_arn = {"Fn::Join": ["", [table_arn, "/index/*"]]}
        on_table = set().union(
            *(statement_actions(s) for s in statements if table_arn in statement_resources(s))
        )
        on_indexes = set().union(
            *(statement_actions(s) for s in statements if indexes_arn in statement_resources(s))
        )
        assert on_indexes == on_table, table.name
        if table.name in function.tables:
            assert "dynamodb:Query" in on_indexes, table.name


def test_no_role_but_the_site_bucket_emptiers_uses_an_aws_managed_policy(
    prod_stage: ShopfloorStage, prod_templates: dict[str, dict[str, Any]]
) -> None:
    """The HTTP API writes its access logs through its service-linked role: no account-wide
    CloudWatch role with AmazonAPIGatewayPushToCloudWatchLogs. In prod, whose data is retained, the
    one role with a managed policy (AWSLambdaBasicExecutionRole) is that of CDK's provider that
    empties the site's bucket, in the edge stack: the site's bucket is build output, deleted with
    its stack in every stage since the split (before it, prod had no such role at all)."""
    with_managed_policies = {
        (stack_name, logical_id): role["Properties"]["ManagedPolicyArns"]
        for stack_name, template in prod_templates.items()
        for logical_id, role in resources_of_type(template, "AWS::IAM::Role").items()
        if role["Properties"].get("ManagedPolicyArns")
    }

    assert any(resources_of_type(template, "AWS::IAM::Role") for template in prod_templates.values())
    [((stack_name, logical_id), policies)] = with_managed_policies.items()
    assert stack_name == prod_stage.edge.stack_name
    assert logical_id.startswith("CustomS3AutoDeleteObjectsCustomResourceProviderRole")
    assert policies == [
        {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}
    ]


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda function: function.name)
def test_only_x_ray_and_a_stream_consumers_list_streams_are_granted_on_every_resource(
    template_dict: dict[str, Any], function: Function
) -> None:
    """The wildcard resource acknowledged to cdk-nag (IAM5) must stay X-Ray's (and ListStreams)."""
    wildcard_actions = {
        action
        for statement in function_statements(template_dict, function.name)
        if "*" in statement_resources(statement)
        for action in statement_actions(statement)
    }

    assert wildcard_actions == XRAY_ACTIONS | ({LIST_STREAMS} if function.streams_from else set())


def test_no_other_policy_grants_anything_on_every_resource(template_dict: dict[str, Any]) -> None:
    wildcard_actions = {
        action
        for policy in resources_of_type(template_dict, "AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if "*" in statement_resources(statement)
        for action in statement_actions(statement)
    }

    streams = {LIST_STREAMS} if any(function.streams_from for function in FUNCTIONS) else set()
    assert wildcard_actions == XRAY_ACTIONS | streams
