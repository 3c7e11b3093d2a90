"""The shop functions' settings, one model per function, read from the environment once."""

from __future__ import annotations

from pydantic import Field

from shopfloor.platform.settings import Settings


class AuthSettings(Settings):
    user_pool_id: str = Field(alias="SHOP_USERS_POOL_ID", min_length=1)
    client_id: str = Field(alias="SHOP_USERS_CLIENT_ID", min_length=1)


class MenuSettings(Settings):
    menu_table_name: str = Field(alias="MENU_TABLE_NAME", min_length=1)
    ids_table_name: str = Field(alias="IDS_TABLE_NAME", min_length=1)
    id_block_size: int = Field(default=50, alias="ID_BLOCK_SIZE", ge=1, le=10_000)
    view_max_bytes: int = Field(default=380_000, alias="MENU_VIEW_MAX_BYTES", ge=1_000, le=390_000)


class OrdersSettings(Settings):
    orders_table_name: str = Field(alias="ORDERS_TABLE_NAME", min_length=1)
    menu_table_name: str = Field(alias="MENU_TABLE_NAME", min_length=1)
    ids_table_name: str = Field(alias="IDS_TABLE_NAME", min_length=1)
    idempotency_table_name: str = Field(alias="IDEMPOTENCY_TABLE_NAME", min_length=1)
    id_block_size: int = Field(default=50, alias="ID_BLOCK_SIZE", ge=1, le=10_000)
    idempotency_ttl_seconds: int = Field(
        default=86_400, alias="IDEMPOTENCY_TTL_SECONDS", ge=60, le=30 * 86_400
    )


class OrderEventsSettings(Settings):
    event_bus_name: str = Field(alias="SHOPFLOOR_EVENT_BUS_NAME", min_length=1)


class NotifierSettings(Settings):
    sent_emails_table_name: str = Field(alias="SENT_EMAILS_TABLE_NAME", min_length=1)
    sender: str = Field(alias="SHOP_MAIL_SENDER", min_length=3)
    shop_email: str = Field(alias="SHOP_EMAIL", min_length=3)
    sent_emails_ttl_days: int = Field(default=90, alias="SENT_EMAILS_TTL_DAYS", ge=1, le=3650)
