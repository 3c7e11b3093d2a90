from __future__ import annotations

from pydantic import Field

from shopfloor.platform.settings import Settings


class WarrantiesSettings(Settings):
    warranties_table_name: str = Field(alias="WARRANTIES_TABLE_NAME", min_length=1)
    stores_table_name: str = Field(alias="STORES_TABLE_NAME", min_length=1)
    items_table_name: str = Field(alias="ITEMS_TABLE_NAME", min_length=1)
    ids_table_name: str = Field(alias="IDS_TABLE_NAME", min_length=1)
    idempotency_table_name: str = Field(alias="IDEMPOTENCY_TABLE_NAME", min_length=1)
    id_block_size: int = Field(default=50, alias="ID_BLOCK_SIZE", ge=1, le=10_000)
    idempotency_ttl_seconds: int = Field(
        default=86_400, alias="IDEMPOTENCY_TTL_SECONDS", ge=60, le=30 * 86_400
    )


class ArchiverSettings(Settings):
    bucket_name: str = Field(alias="WARRANTY_ARCHIVE_BUCKET_NAME", min_length=1)
