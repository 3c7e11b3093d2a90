"""HTTP routes of the `factories` function: chart data by time range, and a picture of it."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from shopfloor.factories.schemas import (
    MAX_POINTS,
    MAX_TIME,
    FactoriesPage,
    FactoryIn,
    FactoryOut,
    FactorySummariesPage,
)
from shopfloor.factories.service import ChartPage, Factory, FactoryService, FactorySummary
from shopfloor.factories.wiring import factory_service
from shopfloor.platform import errors
from shopfloor.platform.http import (
    IdempotencyKey,
    created_response,
    found,
    page_response,
    parse_id,
)
from shopfloor.platform.openapi import BODY_ERRORS, LOCATION, NEXT_PAGE, REPLAYED, answers
from shopfloor.platform.pagination import Page

router = APIGatewayHttpRouter()

MAX_FACTORIES_PER_PAGE = 100
DEFAULT_FACTORIES_PER_PAGE = 20
SVG = "image/svg+xml"
# A chart of MAX_POINTS points is about 3 MB of JSON as clients send it; Lambda takes 6 MB at most.
MAX_BODY_BYTES = 5 * 1024 * 1024
BODY_LIMITS = {"POST /v1/factories": MAX_BODY_BYTES}

Factories = Annotated[FactoryService, Depends(factory_service)]
Limit = Annotated[int, Query(ge=1, le=MAX_FACTORIES_PER_PAGE, description="Factories per page.")]
PointsLimit = Annotated[int, Query(ge=1, le=MAX_POINTS, description="Points per page (default: all).")]
View = Annotated[
    Literal["chart", "summary"],
    Query(description="`chart` (the default): each factory with its chart data; `summary`: without it."),
]
Cursor = Annotated[str | None, Query(description="Opaque cursor from the previous page's Link header.")]
From = Annotated[
    int | None, Query(alias="from", ge=0, le=MAX_TIME, description="Points at or after this epoch second.")
]
To = Annotated[
    int | None, Query(alias="to", ge=0, le=MAX_TIME, description="Points at or before this epoch second.")
]


@router.get(
    "/v1/factories",
    summary="List factories, with their chart data or in summary",
    description="Factories in id order. A page holds up to `limit` factories, each with its whole "
    f"chart, and at most {MAX_POINTS} points between them (always at least one factory). With "
    "`view=summary`, each factory is `{id, points, from, to}` instead (how many points, and the epoch "
    "seconds of the first and the last): one read a page, however large the charts.",
    tags=["factories"],
    responses=answers(
        200,
        FactoriesPage | FactorySummariesPage,
        description="A page of factories (FactorySummariesPage with `view=summary`).",
        headers=NEXT_PAGE,
        errors=(400, 422),
    ),
)
def list_factories(
    factories: Factories,
    limit: Limit = DEFAULT_FACTORIES_PER_PAGE,
    cursor: Cursor = None,
    view: View = "chart",
) -> Response[Any]:
    query = {"limit": str(limit)} | ({"view": view} if view != "chart" else {})
    page: Page[Factory] | Page[FactorySummary]
    page = factories.summaries(limit, cursor) if view == "summary" else factories.list(limit, cursor)
    body = {"factories": [factory.as_json() for factory in page.items]}
    return page_response(router.current_event, body, page.next_cursor, query)


@router.post(
    "/v1/factories",
    summary="Create a factory from its chart data",
    description='Send `{"chart_data": {...}}`, or `{"factory": {"chart_data": {...}}}` as in the sprocket '
    "challenge's seed file: three equally long series of 1 to "
    f"{MAX_POINTS} points. With an `Idempotency-Key`, a repeat of the request answers what the first "
    "created (with `Idempotent-Replayed: true`) and creates nothing; the same key with another request "
    "is 422. Keys are kept as long as the factories they created.",
    tags=["factories"],
    responses=answers(
        201,
        FactoryOut,
        description="The factory, or the first one created with this Idempotency-Key.",
        headers={**LOCATION, **REPLAYED},
        errors=(*BODY_ERRORS, 503),
        error_descriptions={503: "Too many concurrent requests with the same Idempotency-Key; retry."},
    ),
)
def create_factory(
    factory: FactoryIn, factories: Factories, idempotency_key: IdempotencyKey = None
) -> Response[Any]:
    created = factories.create(factory, idempotency_key)
    path = f"/v1/factories/{created.resource.id}"
    return created_response(router.current_event, path, created.resource.as_json(), created.replayed)


@router.get(
    "/v1/factories/<id>",
    summary="Get a factory's chart data",
    description="With `from` and/or `to` (epoch seconds, inclusive), only the points in that range. "
    'Paged by `limit` points, with a `Link: <...>; rel="next"` header while more remain.',
    tags=["factories"],
    responses=answers(
        200,
        FactoryOut,
        description="The factory with a page of its chart's points.",
        headers=NEXT_PAGE,
        errors=(400, 404, 422),
        error_descriptions={400: "`from` after `to`, or an invalid cursor."},
    ),
)
def get_factory(
    id: str,
    *,
    factories: Factories,
    start: From = None,
    end: To = None,
    limit: PointsLimit = MAX_POINTS,
    cursor: Cursor = None,
) -> Response[Any]:
    page = _chart(factories, id, start=start, end=end, limit=limit, cursor=cursor)
    query = {name: str(value) for name, value in (("from", start), ("to", end)) if value is not None}
    query["limit"] = str(limit)
    return page_response(router.current_event, page.factory.as_json(), page.next_cursor, query)


@router.get(
    "/v1/factories/<id>/chart.svg",
    summary="A line chart of a factory's production",
    description="Actual against goal production over time (UTC), as SVG. `from` and `to` as for the "
    "chart data. A long range is drawn from averages of consecutive points.",
    tags=["factories"],
    responses=answers(
        200,
        {"type": "string"},
        description="The chart.",
        content_type=SVG,
        errors=(400, 404, 422),
        error_descriptions={400: "`from` after `to`."},
    ),
)
def get_factory_chart(id: str, *, factories: Factories, start: From = None, end: To = None) -> Response[str]:
    page = _chart(factories, id, start=start, end=end)
    # Only this route draws: the others do not pay for loading the charting library.
    from shopfloor.factories.chart import render_svg

    return Response(status_code=HTTPStatus.OK, content_type=SVG, body=render_svg(page.factory))


def _chart(
    factories: FactoryService,
    raw_id: str,
    *,
    start: int | None,
    end: int | None,
    limit: int = MAX_POINTS,
    cursor: str | None = None,
) -> ChartPage:
    factory_id = parse_id(raw_id)
    if start is not None and end is not None and start > end:
        raise errors.BadRequestError("`from` must not be after `to`.")
    return found(factories.chart(factory_id, start, end, limit, cursor))
