"""The factories slice in the synthesized stacks: its tables (the data stack's), its functions (the
Factories stack's), what each function may touch, and the chart's route (the edge's API)."""

from __future__ import annotations

from typing import Any

import pytest

from infra.stack import DataStack, ShopfloorStage
from infra.topology import FACTORY_POINTS, IDEMPOTENCY
from tests.infra.template import actions_on, function_logical_ids, http_routes, invoked_function

pytestmark = pytest.mark.infra

FACTORY_TABLES = ("factories", "factory-points")


def _table(template_dict: dict[str, Any], data: DataStack, name: str) -> dict[str, Any]:
    logical_id = data.resolve(data.tables.by_name[name].table_name)["Ref"]
    return dict(template_dict["Resources"][logical_id]["Properties"])


def _arn(data: DataStack, name: str) -> Any:
    return data.resolve(data.tables.by_name[name].table_arn)


def test_the_factories_functions_are_the_factories_stacks_and_its_tables_the_data_stacks(
    stage: ShopfloorStage, templates: dict[str, dict[str, Any]]
) -> None:
    factories = stage.contexts["factories"]

    assert {function.name for function in factories.functions.declared} == {"factories", "sprockets"}
    assert set(function_logical_ids(templates[factories.stack_name])) == {"factories", "sprockets"}
    for name in (*FACTORY_TABLES, "sprockets"):
        logical_id = _arn(stage.data, name)["Fn::GetAtt"][0]
        assert templates[stage.data.stack_name]["Resources"][logical_id]["Type"] == "AWS::DynamoDB::Table"


def test_chart_points_are_keyed_by_factory_and_time(
    template_dict: dict[str, Any], stage: ShopfloorStage
) -> None:
    properties = _table(template_dict, stage.data, FACTORY_POINTS.name)

    assert properties["KeySchema"] == [
        {"AttributeName": "factory_id", "KeyType": "HASH"},
        {"AttributeName": "start", "KeyType": "RANGE"},
    ]


def test_idempotency_keys_expire_only_by_the_ttl_each_route_sets(
    template_dict: dict[str, Any], stage: ShopfloorStage
) -> None:
    """Factories' and sprockets' records carry no expiration, so seed loading stays idempotent."""
    ttl = _table(template_dict, stage.data, IDEMPOTENCY.name)["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": "expiration", "Enabled": True}


def test_only_the_factories_function_touches_factories_and_only_sprockets_touches_sprockets(
    template_dict: dict[str, Any], stage: ShopfloorStage
) -> None:
    for name in FACTORY_TABLES:
        assert "dynamodb:BatchWriteItem" in actions_on(template_dict, "factories", _arn(stage.data, name))
        assert not actions_on(template_dict, "sprockets", _arn(stage.data, name))
    assert not actions_on(template_dict, "factories", _arn(stage.data, "sprockets"))
    assert "dynamodb:PutItem" in actions_on(template_dict, "sprockets", _arn(stage.data, "sprockets"))
    for function in ("factories", "sprockets"):
        assert "dynamodb:PutItem" in actions_on(template_dict, function, _arn(stage.data, IDEMPOTENCY.name))


def test_the_chart_is_served_by_the_factories_function(template_dict: dict[str, Any]) -> None:
    [chart] = [
        route for route in http_routes(template_dict) if route.key == "GET /v1/factories/{id}/chart.svg"
    ]

    assert invoked_function(template_dict, chart) == function_logical_ids(template_dict)["factories"]
