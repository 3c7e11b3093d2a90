"""How factories are stored: a factory's summary, and its chart in chunks of points.

Factories are listed in id order from the index by-id, whose partition key `listing` is always
LISTING: one Query a page, never a Scan.
"""

from __future__ import annotations

from typing import Final

from pynamodb.attributes import BinaryAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

LISTING: Final = "factories"


class ById(GlobalSecondaryIndex["FactoryModel"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by-id"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    id = NumberAttribute(range_key=True)


class FactoryModel(Model):
    """A factory: how many points its chart holds and the times of its first and last."""

    class Meta:
        table_name = "factories"

    id = NumberAttribute(hash_key=True)
    listing = UnicodeAttribute(default=LISTING)
    points = NumberAttribute()
    first_time = NumberAttribute()
    last_time = NumberAttribute()

    by_id = ById()


class ChartChunkModel(Model):
    """Up to POINTS_PER_CHUNK consecutive points of a factory's chart (shopfloor.factories.points),
    keyed by the time of the first; each series packed as signed 64-bit little-endian integers."""

    class Meta:
        table_name = "factory-points"

    factory_id = NumberAttribute(hash_key=True)
    start = NumberAttribute(range_key=True)
    end = NumberAttribute()
    time = BinaryAttribute(legacy_encoding=False)
    actual = BinaryAttribute(legacy_encoding=False)
    goal = BinaryAttribute(legacy_encoding=False)
