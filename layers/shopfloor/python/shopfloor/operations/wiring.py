"""The operations context's composition root: what its functions need, built once per container.

Imports of pynamodb and botocore are deferred into the builders: the docs function imports the
health route only to describe it and must not load them. The health handler calls its builder
during its init phase, so the first request does not pay for it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from pydantic import Field

from shopfloor.platform.settings import Settings

if TYPE_CHECKING:
    from shopfloor.operations.probe import DatabaseProbe


class HealthSettings(Settings):
    ids_table_name: str = Field(alias="IDS_TABLE_NAME", min_length=1)


@cache
def database_probe() -> DatabaseProbe:
    from shopfloor.operations.probe import DatabaseProbe
    from shopfloor.platform.ids import SequenceModel
    from shopfloor.platform.tables import bind

    settings = HealthSettings.from_environ()
    return DatabaseProbe(bind(SequenceModel, settings.ids_table_name, fail_fast=True))
