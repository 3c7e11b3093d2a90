"""How sprockets are stored: one item each."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute
from pynamodb.models import Model


class SprocketModel(Model):
    class Meta:
        table_name = "sprockets"

    id = NumberAttribute(hash_key=True)
    teeth = NumberAttribute()
    pitch_diameter = NumberAttribute()
    outside_diameter = NumberAttribute()
    pitch = NumberAttribute()
