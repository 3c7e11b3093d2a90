"""HTTP routes of a product's offers, their price history and its price trend."""

from __future__ import annotations

from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Annotated, Any, Protocol

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from shopfloor.catalog.offers.schemas import HistoryEntry, PriceTrend
from shopfloor.catalog.sync.reconcile import Offer
from shopfloor.catalog.wiring import offers_reader
from shopfloor.platform import errors
from shopfloor.platform.clock import as_utc, iso, utc_now
from shopfloor.platform.http import json_response, page_response, parse_id
from shopfloor.platform.openapi import NEXT_PAGE, answers
from shopfloor.platform.pagination import MAX_LIMIT, Page


class OffersQueries(Protocol):
    """What these routes read (offers/reader.py reads it from DynamoDB). Here, not in reader.py:
    the docs function imports these routes and must not load the reader's pynamodb and botocore."""

    def product_exists(self, product_id: int) -> bool: ...

    def offers(self, product_id: int) -> list[Offer]: ...

    def history(
        self, product_id: int, start: datetime, end: datetime, limit: int, cursor: str | None
    ) -> Page[HistoryEntry]: ...

    def trend(self, product_id: int, start: datetime, end: datetime) -> PriceTrend: ...


router = APIGatewayHttpRouter()

DEFAULT_PERIOD = timedelta(hours=24)
MAX_PERIOD = timedelta(days=366)
HISTORY_DEFAULT_LIMIT = 500

Reader = Annotated[OffersQueries, Depends(offers_reader)]
From = Annotated[
    datetime | None,
    Query(alias="from", description="Start, ISO 8601 (UTC if no offset). Default: `to` - 24 h."),
]
To = Annotated[
    datetime | None, Query(alias="to", description="End, ISO 8601 (UTC if no offset). Default: now.")
]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Entries per page.")]
Cursor = Annotated[str | None, Query(description="Opaque cursor from the previous page's Link header.")]


@router.get(
    "/products/<id>/offers",
    summary="A product's offers",
    tags=["offers"],
    responses=answers(200, list[Offer], description="The offers as last synchronised.", errors=(404,)),
)
def get_offers(id: str, reader: Reader) -> list[Offer]:
    product_id = _existing(reader, id)
    return reader.offers(product_id)


@router.get(
    "/products/<id>/offers/history",
    summary="Every observed change of a product's offers in a period",
    description="Each entry is one offer's price and stock as a sync observed it; an offer that sold "
    "out and disappeared is recorded with 0 items in stock. Oldest first, paged.",
    tags=["offers"],
    responses=answers(
        200,
        list[HistoryEntry],
        description="A page of the period's changes.",
        headers=NEXT_PAGE,
        errors=(400, 404, 422),
    ),
)
def get_history(
    id: str,
    *,
    reader: Reader,
    start: From = None,
    end: To = None,
    limit: Limit = HISTORY_DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response[Any]:
    product_id = _existing(reader, id)
    period_start, period_end = _period(start, end)
    page = reader.history(product_id, period_start, period_end, limit, cursor)
    query = {"from": iso(period_start), "to": iso(period_end), "limit": str(limit)}
    body = [entry.model_dump() for entry in page.items]
    return page_response(router.current_event, body, page.next_cursor, query)


@router.get(
    "/products/<id>/price-trend",
    summary="Rise or fall of a product's price over a period",
    description="The tracked price is the cheapest offer in stock, recorded at each sync that changes "
    "it. `start_price` is the tracked price in effect at `from` (or the first recorded in the period), "
    "`end_price` the one in effect at `to`; `change_percent` = (end - start) / start * 100, rounded to "
    "2 decimals; `min_price` and `max_price` span the period. Prices are null while nothing is known.",
    tags=["offers"],
    responses=answers(200, PriceTrend, description="The trend over the period.", errors=(400, 404, 422)),
)
def get_price_trend(id: str, *, reader: Reader, start: From = None, end: To = None) -> Response[Any]:
    product_id = _existing(reader, id)
    period_start, period_end = _period(start, end)
    trend: PriceTrend = reader.trend(product_id, period_start, period_end)
    return json_response(HTTPStatus.OK, trend.model_dump(by_alias=True))


def _existing(reader: OffersQueries, raw_id: str) -> int:
    product_id = parse_id(raw_id)
    if not reader.product_exists(product_id):
        raise errors.NotFoundError()
    return product_id


def _period(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    period_end = as_utc(end) if end else utc_now()
    period_start = as_utc(start) if start else period_end - DEFAULT_PERIOD
    if period_start >= period_end:
        raise errors.BadRequestError("`from` must be before `to`.")
    if period_end - period_start > MAX_PERIOD:
        raise errors.BadRequestError("The period may span at most 366 days.")
    return period_start, period_end
