"""The offers function's objects, built once per container from its settings."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Protocol

from shopfloor.catalog.offers_schemas import HistoryEntry, PriceTrend
from shopfloor.catalog.reconcile import Offer
from shopfloor.platform.pagination import Page


class OffersQueries(Protocol):
    def product_exists(self, product_id: int) -> bool: ...

    def offers(self, product_id: int) -> list[Offer]: ...

    def history(
        self, product_id: int, start: datetime, end: datetime, limit: int, cursor: str | None
    ) -> Page[HistoryEntry]: ...

    def trend(self, product_id: int, start: datetime, end: datetime) -> PriceTrend: ...


@cache
def offers_reader() -> OffersQueries:
    # Imported here, not above: the docs function imports these routes only to describe them and
    # must not load pynamodb and botocore. The offers handler calls this during its init phase.
    from shopfloor.catalog.models import OfferModel, PriceHistoryModel, ProductModel
    from shopfloor.catalog.offers_reader import OffersReader
    from shopfloor.catalog.settings import OffersReadSettings
    from shopfloor.platform.tables import bind

    settings = OffersReadSettings.from_environ()
    return OffersReader(
        bind(ProductModel, settings.products_table_name),
        bind(OfferModel, settings.offers_table_name),
        bind(PriceHistoryModel, settings.price_history_table_name),
    )
