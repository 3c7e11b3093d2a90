from __future__ import annotations

from pydantic import Field

from shopfloor.platform.settings import Settings


class FactoriesSettings(Settings):
    factories_table_name: str = Field(alias="FACTORIES_TABLE_NAME", min_length=1)
    factory_points_table_name: str = Field(alias="FACTORY_POINTS_TABLE_NAME", min_length=1)
    ids_table_name: str = Field(alias="IDS_TABLE_NAME", min_length=1)
    id_block_size: int = Field(default=50, alias="ID_BLOCK_SIZE", ge=1, le=10_000)
    idempotency_table_name: str = Field(alias="IDEMPOTENCY_TABLE_NAME", min_length=1)
