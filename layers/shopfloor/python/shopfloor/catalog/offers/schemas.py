"""What clients receive about offers, their history and the price trend."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class HistoryEntry(BaseModel):
    offer_id: str
    price: int
    items_in_stock: int = Field(description="0 when the offer sold out and disappeared.")
    observed_at: str = Field(description="When the sync observed the change (ISO 8601 UTC).")


class PriceTrend(BaseModel):
    """The tracked price is the cheapest offer in stock, recorded at every sync that changes it."""

    model_config = ConfigDict(populate_by_name=True)

    start: str = Field(alias="from", serialization_alias="from")
    end: str = Field(alias="to", serialization_alias="to")
    start_price: int | None = Field(description="The tracked price in effect at `from`.")
    end_price: int | None = Field(description="The tracked price in effect at `to`.")
    change_percent: float | None = Field(description="(end - start) / start * 100, to 2 decimals.")
    min_price: int | None
    max_price: int | None
