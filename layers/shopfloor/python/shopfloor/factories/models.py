"""How factories are stored: a factory's summary, and its chart in chunks of points."""

from __future__ import annotations

from pynamodb.attributes import BinaryAttribute, NumberAttribute
from pynamodb.models import Model


class FactoryModel(Model):
    """A factory: how many points its chart holds and the times of its first and last."""

    class Meta:
        table_name = "factories"

    id = NumberAttribute(hash_key=True)
    points = NumberAttribute()
    first_time = NumberAttribute()
    last_time = NumberAttribute()


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
