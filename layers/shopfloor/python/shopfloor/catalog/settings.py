from __future__ import annotations

from pydantic import Field

from shopfloor.platform.settings import Settings


class OffersServiceSettings(Settings):
    offers_service_url: str = Field(alias="OFFERS_SERVICE_URL", min_length=1)
    refresh_token_secret_id: str = Field(alias="OFFERS_REFRESH_TOKEN_SECRET_ID", min_length=1)
    tokens_table_name: str = Field(alias="TOKENS_TABLE_NAME", min_length=1)


class ProductsSettings(OffersServiceSettings):
    products_table_name: str = Field(alias="PRODUCTS_TABLE_NAME", min_length=1)
    ids_table_name: str = Field(alias="IDS_TABLE_NAME", min_length=1)
    offers_table_name: str = Field(alias="OFFERS_TABLE_NAME", min_length=1)
    offers_sync_queue_url: str = Field(alias="OFFERS_SYNC_QUEUE_URL", min_length=1)
    id_block_size: int = Field(default=50, alias="ID_BLOCK_SIZE", ge=1, le=10_000)


class OffersReadSettings(Settings):
    products_table_name: str = Field(alias="PRODUCTS_TABLE_NAME", min_length=1)
    offers_table_name: str = Field(alias="OFFERS_TABLE_NAME", min_length=1)
    price_history_table_name: str = Field(alias="PRICE_HISTORY_TABLE_NAME", min_length=1)


class DispatchSettings(Settings):
    products_table_name: str = Field(alias="PRODUCTS_TABLE_NAME", min_length=1)
    offers_sync_queue_url: str = Field(alias="OFFERS_SYNC_QUEUE_URL", min_length=1)


class WorkerSettings(OffersServiceSettings):
    products_table_name: str = Field(alias="PRODUCTS_TABLE_NAME", min_length=1)
    offers_table_name: str = Field(alias="OFFERS_TABLE_NAME", min_length=1)
    price_history_table_name: str = Field(alias="PRICE_HISTORY_TABLE_NAME", min_length=1)
    price_history_days: int = Field(default=30, alias="PRICE_HISTORY_DAYS", ge=1, le=365)
