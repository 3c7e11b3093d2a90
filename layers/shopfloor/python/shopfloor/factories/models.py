"""How factories and sprockets are stored: a factory's summary, its chart in chunks of points, the
sprockets, and the Idempotency-Keys of the POSTs that created them."""

from __future__ import annotations

from pynamodb.attributes import BinaryAttribute, NumberAttribute, UnicodeAttribute
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


class SprocketModel(Model):
    class Meta:
        table_name = "sprockets"

    id = NumberAttribute(hash_key=True)
    teeth = NumberAttribute()
    pitch_diameter = NumberAttribute()
    outside_diameter = NumberAttribute()
    pitch = NumberAttribute()


class RequestKeyModel(Model):
    """A POST that carried an Idempotency-Key: what it created, and a fingerprint of what it sent.
    `key` is `<resource>#<Idempotency-Key>`. Kept as long as what it created (nothing is deleted)."""

    class Meta:
        table_name = "factories-idempotency"

    key = UnicodeAttribute(hash_key=True)
    resource_id = NumberAttribute()
    fingerprint = UnicodeAttribute()
    # The first response's body, where the resource may change later (a sprocket, by PUT).
    response = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
