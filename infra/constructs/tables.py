"""Every DynamoDB table of the topology: on demand, point-in-time recovery, AWS-managed key; its
global secondary indexes (projecting every attribute) and, when a function consumes it, a stream of
new images."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from infra.constructs.naming import construct_id
from infra.topology import TABLES, Index, Key, KeyType, Table

_ATTRIBUTE_TYPES: Mapping[KeyType, dynamodb.AttributeType] = MappingProxyType(
    {KeyType.STRING: dynamodb.AttributeType.STRING, KeyType.NUMBER: dynamodb.AttributeType.NUMBER}
)


class Tables(Construct):
    """The tables, by their topology name (`products`, `ids`, ...)."""

    def __init__(
        self,
        scope: Construct,
        construct_id_: str,
        *,
        removal_policy: RemovalPolicy,
        deletion_protection: bool,
    ) -> None:
        super().__init__(scope, construct_id_)
        self.by_name: Mapping[str, dynamodb.Table] = MappingProxyType(
            {table.name: _table(self, table, removal_policy, deletion_protection) for table in TABLES}
        )

    @property
    def physical_names(self) -> dict[str, str]:
        """Each table's deployed name (a token until deploy time), by topology name."""
        return {name: table.table_name for name, table in self.by_name.items()}


def _table(
    scope: Construct, table: Table, removal_policy: RemovalPolicy, deletion_protection: bool
) -> dynamodb.Table:
    created = dynamodb.Table(
        scope,
        construct_id(table.name),
        partition_key=_attribute(table.partition_key),
        sort_key=_attribute(table.sort_key) if table.sort_key else None,
        time_to_live_attribute=table.ttl_attribute,
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        # New images only: a consumer sees what was written, never the whole old item as well.
        stream=dynamodb.StreamViewType.NEW_IMAGE if table.stream else None,
        removal_policy=removal_policy,
        deletion_protection=deletion_protection,
    )
    for index in table.indexes:
        _add_index(created, index)
    return created


def _add_index(table: dynamodb.Table, index: Index) -> None:
    table.add_global_secondary_index(
        index_name=index.name,
        partition_key=_attribute(index.partition_key),
        sort_key=_attribute(index.sort_key) if index.sort_key else None,
        projection_type=dynamodb.ProjectionType.ALL,
    )


def _attribute(key: Key) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=key.name, type=_ATTRIBUTE_TYPES[key.type])
