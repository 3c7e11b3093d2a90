"""A product's offers, history and price trend through the offers handler, on moto."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shopfloor.catalog.models import ALL_OFFERS, OfferModel, PriceHistoryModel, ProductModel
from shopfloor.catalog.sync.store import cheapest_entry, offer_entry, offers_entry, to_offers
from shopfloor.platform.clock import iso
from shopfloor.platform.tables import bind
from tests.helpers.handlers import HandlerClient, load_handler
from tests.unit.conftest import TABLE_NAMES

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def offers() -> HandlerClient:
    return HandlerClient(load_handler("offers"))


def add_product(product_id: int = 1) -> None:
    bind(ProductModel, TABLE_NAMES["products"])(product_id, name="Kettle").save()


def add_offer(product_id: int, offer_id: str, price: int, stock: int) -> None:
    """Adds the offer to the product's one offers item, as a sync would store it."""
    model = bind(OfferModel, TABLE_NAMES["offers"])
    try:
        held = {
            offer.id: {"price": offer.price, "items_in_stock": offer.items_in_stock}
            for offer in to_offers(model.get(product_id, ALL_OFFERS))
        }
    except model.DoesNotExist:
        held = {}
    held[offer_id] = {"price": price, "items_in_stock": stock}
    model(product_id, ALL_OFFERS, offers=held, updated_at=iso(T0)).save()


def observe(product_id: int, minutes: int, offer_id: str, price: int, stock: int = 1) -> None:
    """Records the offer's change as a sync at that minute does: in that sync's one history item."""
    moment = T0 + timedelta(minutes=minutes)
    history = bind(PriceHistoryModel, TABLE_NAMES["price-history"])
    try:
        changes = list(history.get(product_id, offers_entry(moment)).changes or [])
    except history.DoesNotExist:
        changes = []
    changes.append({"offer_id": offer_id, "price": price, "items_in_stock": stock})
    history(product_id, offers_entry(moment), changes=changes, observed_at=iso(moment), expires_at=0).save()


def observe_as_before(product_id: int, minutes: int, offer_id: str, price: int, stock: int = 1) -> None:
    """Records the offer's change as earlier versions did: an item of its own."""
    moment = T0 + timedelta(minutes=minutes)
    bind(PriceHistoryModel, TABLE_NAMES["price-history"])(
        product_id,
        offer_entry(moment, offer_id),
        offer_id=offer_id,
        price=price,
        items_in_stock=stock,
        observed_at=iso(moment),
        expires_at=0,
    ).save()


def track(product_id: int, minutes: int, price: int | None) -> None:
    moment = T0 + timedelta(minutes=minutes)
    bind(PriceHistoryModel, TABLE_NAMES["price-history"])(
        product_id, cheapest_entry(moment), price=price, observed_at=iso(moment), expires_at=0
    ).save()


def at(minutes: int) -> str:
    return iso(T0 + timedelta(minutes=minutes))


def test_offers_are_the_cached_ones_cheapest_first(offers: HandlerClient) -> None:
    add_product()
    add_offer(1, "b", 300, 2)
    add_offer(1, "a", 200, 0)

    reply = offers.get("/products/1/offers")

    assert reply.status == 200
    assert reply.json() == [
        {"id": "a", "price": 200, "items_in_stock": 0},
        {"id": "b", "price": 300, "items_in_stock": 2},
    ]


def test_a_product_without_offers_has_an_empty_list(offers: HandlerClient) -> None:
    add_product()

    assert offers.get("/products/1/offers/").json() == []


@pytest.mark.parametrize(
    "path",
    ["/products/9/offers", "/products/9/offers/history", "/products/9/price-trend", "/products/x/offers"],
)
def test_an_unknown_product_is_404(offers: HandlerClient, path: str) -> None:
    reply = offers.get(path)

    assert reply.status == 404
    assert reply.json() == {"message": "Not found."}


def test_history_lists_the_changes_in_the_period_oldest_first(offers: HandlerClient) -> None:
    add_product()
    observe(1, 0, "a", 100)
    observe(1, 5, "b", 90)
    observe(1, 10, "a", 110)
    observe(1, 60, "a", 120)

    reply = offers.get(f"/products/1/offers/history?from={at(1)}&to={at(30)}")

    assert reply.status == 200
    assert reply.json() == [
        {"offer_id": "b", "price": 90, "items_in_stock": 1, "observed_at": at(5)},
        {"offer_id": "a", "price": 110, "items_in_stock": 1, "observed_at": at(10)},
    ]


def test_history_pages_with_link_headers(offers: HandlerClient) -> None:
    add_product()
    for minute in range(5):
        observe(1, minute, "a", 100 + minute)
    path: str | None = f"/products/1/offers/history?from={at(0)}&to={at(10)}&limit=2"
    prices: list[int] = []

    while path:
        reply = offers.get(path)
        prices += [entry["price"] for entry in reply.json()]
        link = reply.headers.get("Link")
        path = link.split(">")[0].removeprefix("<https://api.example.com") if link else None

    assert prices == [100, 101, 102, 103, 104]


def test_history_pages_within_the_changes_of_one_sync(offers: HandlerClient) -> None:
    add_product()
    for offer_id, price in (("c", 300), ("a", 100), ("b", 200)):
        observe(1, 1, offer_id, price)
    observe(1, 2, "a", 110)
    path: str | None = f"/products/1/offers/history?from={at(0)}&to={at(10)}&limit=2"
    pages: list[list[tuple[str, int]]] = []

    while path:
        reply = offers.get(path)
        pages.append([(entry["offer_id"], entry["price"]) for entry in reply.json()])
        link = reply.headers.get("Link")
        path = link.split(">")[0].removeprefix("<https://api.example.com") if link else None

    assert pages == [[("a", 100), ("b", 200)], [("c", 300), ("a", 110)]]


def test_history_recorded_as_before_is_listed_with_the_rest(offers: HandlerClient) -> None:
    add_product()
    observe_as_before(1, 1, "b", 90)
    observe_as_before(1, 1, "a", 80)
    observe(1, 2, "a", 100)
    observe(1, 2, "a", 105)  # the same offer twice in one sync's item: the last
    path: str | None = f"/products/1/offers/history?from={at(0)}&to={at(10)}&limit=1"
    seen: list[tuple[str, int, str]] = []

    while path:
        reply = offers.get(path)
        seen += [(entry["offer_id"], entry["price"], entry["observed_at"]) for entry in reply.json()]
        link = reply.headers.get("Link")
        path = link.split(">")[0].removeprefix("<https://api.example.com") if link else None

    assert seen == [("a", 80, at(1)), ("b", 90, at(1)), ("a", 105, at(2))]


def test_history_defaults_to_the_last_24_hours(offers: HandlerClient) -> None:
    add_product()
    observe(1, 0, "a", 100)  # long ago

    assert offers.get("/products/1/offers/history").json() == []


@pytest.mark.parametrize(
    ("query", "status"),
    [
        (f"from={at(10)}&to={at(5)}", 400),
        (f"from={at(0)}&to={at(0)}", 400),
        ("from=yesterday", 422),
        (f"from={at(0)}&to={at(60 * 24 * 400)}", 400),
        ("limit=0", 422),
        ("cursor=nonsense", 400),
    ],
)
def test_history_refuses_a_bad_query(offers: HandlerClient, query: str, status: int) -> None:
    add_product()

    reply = offers.get(f"/products/1/offers/history?{query}")

    assert reply.status == status
    assert "message" in reply.json()


def test_price_trend_over_a_known_series(offers: HandlerClient) -> None:
    add_product()
    track(1, 0, 200)  # in effect when the period starts
    track(1, 10, 180)
    track(1, 20, 260)
    track(1, 30, 240)
    track(1, 90, 500)  # after the period

    reply = offers.get(f"/products/1/price-trend?from={at(5)}&to={at(60)}")

    assert reply.status == 200
    assert reply.json() == {
        "from": at(5),
        "to": at(60),
        "start_price": 200,
        "end_price": 240,
        "change_percent": 20.0,
        "min_price": 180,
        "max_price": 260,
    }


def test_price_trend_accepts_offsets_and_answers_in_utc(offers: HandlerClient) -> None:
    add_product()
    track(1, 0, 100)

    reply = offers.get("/products/1/price-trend?from=2026-11-20T13:00:00%2B02:00&to=2026-11-20T12:30:00Z")

    assert reply.status == 200
    assert reply.json()["from"] == "2026-11-20T11:00:00Z"
    assert reply.json()["start_price"] == 100
