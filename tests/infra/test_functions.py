"""Functions: one per topology entry, on arm64 Python, traced, JSON-logged, granted only their tables."""

from __future__ import annotations

from typing import Any

import pytest

from infra.constants import PYTHON_VERSION
from infra.constructs.layers import RUNTIME
from infra.stack import ShopfloorStack
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
    BUCKET_DEPLOYMENT_HANDLER,
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


def _function(template_dict: dict[str, Any], function: Function) -> dict[str, Any]:
    logical_id = function_logical_ids(template_dict)[function.name]
    return dict(template_dict["Resources"][logical_id]["Properties"])


def test_there_is_one_function_per_topology_entry(template_dict: dict[str, Any]) -> None:
    """And CDK's handlers, which run at deploy time only: the site's BucketDeployment's and, in dev,
    the one that empties a bucket before it is deleted."""
    assert set(function_logical_ids(template_dict)) == {function.name for function in FUNCTIONS}
    assert sorted(
        logical_id.startswith(BUCKET_DEPLOYMENT_HANDLER)
        for logical_id in cdk_function_logical_ids(template_dict)
    ) == [False, True]
    assert len(resources_of_type(template_dict, "AWS::Lambda::Function")) == len(FUNCTIONS) + 2


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
    template_dict: dict[str, Any], stack: ShopfloorStack, function: Function
) -> None:
    table_references = {name: stack.resolve(table.table_name) for name, table in stack.tables.by_name.items()}
    queue_references = {
        name: stack.resolve(queue.queue.queue_url) for name, queue in stack.queues.by_name.items()
    }
    secret_references = {
        name: stack.resolve(secret.secret_arn) for name, secret in stack.secrets.by_name.items()
    }
    bucket_references = {
        name: stack.resolve(bucket.bucket_name) for name, bucket in stack.buckets.by_name.items()
    }
    user_pool_references = {
        name: (
            stack.resolve(created.user_pool.user_pool_id),
            stack.resolve(created.client.user_pool_client_id),
        )
        for name, created in stack.user_pools.by_name.items()
    }

    assert function_environments(template_dict)[function.name] == function_environment(
        function,
        table_references,
        queue_urls=queue_references,
        secret_ids=secret_references,
        service_urls=stack.service_urls,
        bucket_names=bucket_references,
        user_pools=user_pool_references,
        event_buses={
            name: stack.resolve(created.event_bus.event_bus_name)
            for name, created in stack.event_buses.by_name.items()
        },
        email_senders=stack.email_senders.addresses,
        context_values=stack.context_values,
    )


def test_the_warranties_function_gets_its_tables_and_the_idempotency_ttl(
    template_dict: dict[str, Any], stack: ShopfloorStack
) -> None:
    environment = function_environments(template_dict)["warranties"]

    for table in ("warranties", "stores", "items", "ids", "idempotency"):
        assert environment[TABLES_BY_NAME[table].env_var] == stack.resolve(
            stack.tables.by_name[table].table_name
        ), table
    assert environment["IDEMPOTENCY_TTL_SECONDS"] == str(IDEMPOTENCY_TTL_SECONDS)
    assert environment["ID_BLOCK_SIZE"] == str(ID_BLOCK_SIZE)


def test_the_warranty_archiver_gets_the_archive_bucket_name(
    template_dict: dict[str, Any], stack: ShopfloorStack
) -> None:
    environment = function_environments(template_dict)["warranty-archiver"]

    assert environment[WARRANTY_ARCHIVE.env_var] == stack.resolve(
        stack.buckets.by_name[WARRANTY_ARCHIVE.name].bucket_name
    )
    assert WARRANTY_ARCHIVE.env_var == "WARRANTY_ARCHIVE_BUCKET_NAME"


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda function: function.name)
def test_each_function_may_touch_only_the_tables_it_names(
    template_dict: dict[str, Any], stack: ShopfloorStack, function: Function
) -> None:
    statements = function_statements(template_dict, function.name)

    for table in TABLES:
        arn = stack.resolve(stack.tables.by_name[table.name].table_arn)
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
    template_dict: dict[str, Any], stack: ShopfloorStack, function: Function
) -> None:
    """CDK's table grants name `<table ARN>/index/*` beside the table when it has indexes."""
    statements = function_statements(template_dict, function.name)

    for table in TABLES:
        if not table.indexes:
            continue
        table_arn = stack.resolve(stack.tables.by_name[table.name].table_arn)
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


def test_no_role_uses_an_aws_managed_policy(prod_template_dict: dict[str, Any]) -> None:
    """The HTTP API writes its access logs through its service-linked role: no account-wide
    CloudWatch role with AmazonAPIGatewayPushToCloudWatchLogs. In prod: in dev, CDK's provider that
    empties the buckets before deleting them has AWSLambdaBasicExecutionRole."""
    roles = resources_of_type(prod_template_dict, "AWS::IAM::Role")
    with_managed_policies = {
        logical_id for logical_id, role in roles.items() if role["Properties"].get("ManagedPolicyArns")
    }

    assert roles
    assert with_managed_policies == set()


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
