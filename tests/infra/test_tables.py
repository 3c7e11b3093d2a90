"""Tables: one per topology table, on demand, recoverable, encrypted, kept unless asked otherwise."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import App, RemovalPolicy

from infra.stack import removal_policy_from_context
from infra.topology import PRICE_HISTORY, TABLES, Table
from tests.infra.template import resources_of_type

pytestmark = pytest.mark.infra


def _synthesized_table(template_dict: dict[str, Any], table: Table) -> dict[str, Any]:
    """The synthesized table whose key schema is the topology table's."""
    keys = [table.partition_key] + ([table.sort_key] if table.sort_key else [])
    schema = [
        {"AttributeName": key.name, "KeyType": kind}
        for key, kind in zip(keys, ("HASH", "RANGE"), strict=False)
    ]
    [resource] = [
        resource
        for resource in resources_of_type(template_dict, "AWS::DynamoDB::Table").values()
        if resource["Properties"]["KeySchema"] == schema
    ]
    return dict(resource)


def test_there_is_one_table_per_topology_table(template_dict: dict[str, Any]) -> None:
    assert len(resources_of_type(template_dict, "AWS::DynamoDB::Table")) == len(TABLES)


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_each_table_is_on_demand_recoverable_and_encrypted(
    template_dict: dict[str, Any], table: Table
) -> None:
    properties = _synthesized_table(template_dict, table)["Properties"]

    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    # Enabled without a key of our own: the AWS-managed key (alias/aws/dynamodb).
    assert properties["SSESpecification"] == {"SSEEnabled": True}
    assert {d["AttributeName"]: d["AttributeType"] for d in properties["AttributeDefinitions"]} == {
        key.name: key.type.value for key in (table.partition_key, table.sort_key) if key
    }


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_a_table_expires_items_only_when_the_topology_names_a_ttl_attribute(
    template_dict: dict[str, Any], table: Table
) -> None:
    properties = _synthesized_table(template_dict, table)["Properties"]

    expected = {"AttributeName": table.ttl_attribute, "Enabled": True} if table.ttl_attribute else None
    assert properties.get("TimeToLiveSpecification") == expected


def test_price_history_expires(template_dict: dict[str, Any]) -> None:
    properties = _synthesized_table(template_dict, PRICE_HISTORY)["Properties"]

    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_tables_are_retained_by_default(template_dict: dict[str, Any], table: Table) -> None:
    resource = _synthesized_table(template_dict, table)

    assert (resource["DeletionPolicy"], resource["UpdateReplacePolicy"]) == ("Retain", "Retain")


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        ({}, RemovalPolicy.RETAIN),
        ({"removalPolicy": "retain"}, RemovalPolicy.RETAIN),
        ({"removalPolicy": "destroy"}, RemovalPolicy.DESTROY),
    ],
)
def test_the_removal_policy_comes_from_the_context(context: dict[str, str], expected: RemovalPolicy) -> None:
    assert removal_policy_from_context(App(context=context)) == expected


def test_an_unknown_removal_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="removalPolicy"):
        removal_policy_from_context(App(context={"removalPolicy": "snapshot"}))
