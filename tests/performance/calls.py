"""AWS calls per request, for every route and event of the API, counted with botocore's event hooks.

Every function's real handler runs in this process as one warm container each, against DynamoDB
Local, moto server and the local offers service, with the environment the local cloud gives it.
A scenario sends a realistic series of requests; its row is the calls it made divided by the
requests (or pages, or records) it served, so amortised costs (an id block every 50 ids, a store
first seen by this container) show as the fractions they are. A row also keeps what the cost
benchmark prices (cost.py): the DynamoDB units, messages, events and e-mails of those calls
(tests/helpers/aws_calls.py) and each handler call's wall and CPU time.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from infra.topology import all_routes
from tests.helpers.aws_calls import Usage, dynamodb_writes, metering_aws_calls
from tests.helpers.events import api_event, scheduled_event, sqs_event, stream_event
from tests.helpers.handlers import load_handler
from tests.helpers.lambda_context import FakeLambdaContext

STORES, ITEMS, WARRANTIES = 50, 20, 200
# How long the notifier's scenario waits for the rule to queue its orders' events.
QUEUE_WAIT_SECONDS = 30.0
# Rows the cost benchmark composes into asynchronous paths (cost.py).
DISPATCH_ROW = "offers-dispatch (a cycle, every product)"
WORKER_FIRST_SYNC_ROW = "offers-worker (first sync)"
WORKER_UNCHANGED_ROW = "offers-worker (nothing changed)"
ARCHIVER_ROW = "warranty-archiver (stream batch of 20)"
ORDER_EVENTS_PLACED_ROW = "order-events (stream batch of 25 orders placed)"
ORDER_EVENTS_CHANGED_ROW = "order-events (stream batch of 25 status changes)"
NOTIFIER_PLACED_ROW = "notifier (OrderPlaced: customer and shop)"
NOTIFIER_CHANGED_ROW = "notifier (OrderStatusChanged: customer)"


@dataclass(frozen=True)
class Invocation:
    """One handler call: its wall time, and the CPU time of this thread in it (the handler's own
    work; DynamoDB Local, moto and the offers service run in other threads or processes)."""

    function: str
    wall_ms: float
    cpu_ms: float


@dataclass
class Row:
    label: str
    unit: str
    served: int
    usage: Usage
    invocations: list[Invocation]
    routes: tuple[tuple[str, str], ...] = ()
    target: str = ""
    met: bool | None = None

    @property
    def calls(self) -> Counter[str]:
        return self.usage.calls

    def per_unit(self) -> str:
        if not self.calls:
            return "none"
        return ", ".join(f"{name} {count / self.served:.2f}" for name, count in sorted(self.calls.items()))

    def total(self) -> float:
        return sum(self.calls.values()) / self.served

    @property
    def function(self) -> str:
        """The function the row measures (a row calls one)."""
        names = {invocation.function for invocation in self.invocations}
        if len(names) != 1:
            raise ValueError(f"{self.label}: calls {sorted(names) or 'no function'}, not one")
        return names.pop()

    def median_wall_ms(self) -> float:
        return statistics.median(invocation.wall_ms for invocation in self.invocations)

    def median_cpu_ms(self) -> float:
        return statistics.median(invocation.cpu_ms for invocation in self.invocations)


@dataclass
class Bench:
    handlers: dict[str, ModuleType] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    covered: set[tuple[str, str]] = field(default_factory=set)
    # The handler calls of the row being measured.
    recording: list[Invocation] | None = None

    def handler(self, function: str) -> ModuleType:
        if function not in self.handlers:
            self.handlers[function] = load_handler(function.replace("-", "_"))
        return self.handlers[function]

    def call(self, function: str, event: dict[str, Any], context: FakeLambdaContext | None = None) -> Any:
        handler = self.handler(function)
        context = context or FakeLambdaContext(function_name=function)
        wall, cpu = time.perf_counter(), time.thread_time()
        answer = handler.lambda_handler(event, context)
        if self.recording is not None:
            self.recording.append(
                Invocation(function, (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000)
            )
        return answer

    def http(self, function: str, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        answer: dict[str, Any] = self.call(function, api_event(method, path, **kwargs))
        if answer["statusCode"] >= 500:
            raise RuntimeError(f"{method} {path}: {answer['statusCode']} {answer.get('body')}")
        return answer

    def measure(
        self,
        label: str,
        unit: str,
        run: Callable[[], int],
        *,
        routes: tuple[tuple[str, str], ...] = (),
        target: str = "",
        check: Check | None = None,
    ) -> None:
        self.recording = []
        try:
            with metering_aws_calls() as usage:
                served = run()
            invocations = self.recording
        finally:
            self.recording = None
        # A copy: a session created in the block (pynamodb's, say) may still hold the hooks.
        usage = replace(usage, calls=Counter(usage.calls))
        self.covered.update(routes)
        met = None if check is None else check(usage.calls, served)
        self.rows.append(Row(label, unit, served, usage, invocations, routes, target, met))

    def row(self, label: str) -> Row:
        return next(row for row in self.rows if row.label == label)


Check = Callable[[Counter[str], int], bool]


def one_each(operation: str) -> Check:
    """Exactly one call of `operation` per unit served, and no other call."""
    return lambda calls, served: calls == Counter({operation: served})


# A replay's one call: the transaction the key's record cancels hands that record back (ALL_OLD).
REPLAY_TARGET = "1 call, no write: the cancelled transaction returns the record"


def one_transaction_and_ids(calls: Counter[str], served: int) -> bool:
    """One TransactWriteItems per request, and otherwise only the id allocator's block updates."""
    others = sum(calls.values()) - calls["dynamodb.TransactWriteItems"] - calls["dynamodb.UpdateItem"]
    return (
        calls["dynamodb.TransactWriteItems"] == served and others == 0 and calls["dynamodb.UpdateItem"] <= 1
    )


def no_calls(calls: Counter[str], _: int) -> bool:
    return not calls


def _json(answer: Mapping[str, Any]) -> Any:
    return json.loads(answer["body"])


def _repeat(count: int, send: Callable[[int], object]) -> Callable[[], int]:
    def run() -> int:
        for index in range(count):
            send(index)
        return count

    return run


def products_and_offers(bench: Bench) -> None:
    created: list[int] = []

    def create(index: int) -> None:
        created.append(
            _json(bench.http("products", "POST", "/products", body={"name": f"Kettle {index}"}))["id"]
        )

    bench.measure(
        "POST /products",
        "request",
        _repeat(20, create),
        routes=(("POST", "/products"),),
        target="1 PutItem + an id block per 50",
    )
    bench.measure(
        "GET /products/{id}",
        "request",
        _repeat(20, lambda i: bench.http("products", "GET", f"/products/{created[i]}")),
        routes=(("GET", "/products/{id}"),),
        target="1 GetItem",
        check=one_each("dynamodb.GetItem"),
    )
    bench.measure(
        "GET /products (page of 10)",
        "page",
        _pages(bench, "products", "/products?limit=10", 2),
        routes=(("GET", "/products"),),
        target="1 Scan per page",
        check=one_each("dynamodb.Scan"),
    )
    bench.measure(
        "PATCH /products/{id}",
        "request",
        _repeat(
            5, lambda i: bench.http("products", "PATCH", f"/products/{created[i]}", body={"name": "New"})
        ),
        routes=(("PATCH", "/products/{id}"),),
    )
    bench.measure(
        "PUT /products/{id}",
        "request",
        _repeat(5, lambda i: bench.http("products", "PUT", f"/products/{created[i]}", body={"name": "New"})),
        routes=(("PUT", "/products/{id}"),),
    )
    for path, label in (
        ("/products/{id}/offers", "GET /products/{id}/offers"),
        ("/products/{id}/offers/history", "GET /products/{id}/offers/history"),
        ("/products/{id}/price-trend", "GET /products/{id}/price-trend"),
    ):
        bench.measure(
            label,
            "request",
            _repeat(5, partial(_get_product_path, bench, "offers", path, created)),
            routes=(("GET", path),),
        )
    bench.measure(
        DISPATCH_ROW,
        "product",
        lambda: int(bench.call("offers-dispatch", scheduled_event())["messages_sent"]),
        target="1 Scan page + 1 SendMessageBatch per 10 products",
    )
    messages = [_sync_message(bench, product_id) for product_id in created[:10]]
    bench.measure(
        WORKER_FIRST_SYNC_ROW,
        "message",
        lambda: _served(len(messages), bench.call("offers-worker", sqs_event(*messages))),
    )
    bench.measure(
        WORKER_UNCHANGED_ROW,
        "message",
        lambda: _served(len(messages), bench.call("offers-worker", sqs_event(*messages))),
        target="no write",
        check=lambda calls, _: dynamodb_writes(calls) == 0,
    )
    bench.measure(
        "DELETE /products/{id}",
        "request",
        _repeat(5, lambda i: bench.http("products", "DELETE", f"/products/{created[i]}")),
        routes=(("DELETE", "/products/{id}"),),
    )


def _get(bench: Bench, function: str, path: str, _: int) -> None:
    bench.http(function, "GET", path)


def _get_product_path(bench: Bench, function: str, path: str, ids: list[int], index: int) -> None:
    bench.http(function, "GET", path.format(id=ids[index]))


def _sync_message(bench: Bench, product_id: int) -> str:
    from shopfloor.platform import aws

    item = aws.client("dynamodb").get_item(
        TableName=os.environ["PRODUCTS_TABLE_NAME"], Key={"id": {"N": str(product_id)}}
    )["Item"]
    return json.dumps({"product_id": product_id, "offers_id": item["offers_id"]["S"], "registered": True})


def _served(count: int, answer: Mapping[str, Any]) -> int:
    if answer.get("batchItemFailures"):
        raise RuntimeError(f"failed: {answer}")
    return count


def _pages(
    bench: Bench, function: str, first: str, pages: int, claims: dict[str, str] | None = None
) -> Callable[[], int]:
    """Follows the Link header for `pages` pages."""

    def run() -> int:
        path = first
        for served in range(1, pages + 1):
            answer = bench.http(function, "GET", path, claims=claims)
            link = _header(answer, "Link")
            if served == pages or not link:
                return served
            path = _next_path(link)
        return pages

    return run


def _header(answer: Mapping[str, Any], name: str) -> str | None:
    """A header of a response (format 2.0), whatever its case."""
    for key, value in (answer.get("headers") or {}).items():
        if key.lower() == name.lower():
            return str(value)
    return None


def _next_path(link: str) -> str:
    """The path and query of a Link header's URL (the HTTP API's URLs carry no stage)."""
    url = urlsplit(link.split(";", maxsplit=1)[0].strip().strip("<>"))
    return f"{url.path}?{url.query}" if url.query else url.path


def warranties(bench: Bench) -> None:
    run = uuid.uuid4().hex[:8]
    stores = [str(uuid.uuid4()) for _ in range(STORES)]

    def sold(index: int) -> dict[str, Any]:
        return {
            "store_uuid": stores[index % STORES],
            "item_type": "electronics",
            "item_sku": f"SKU-{run}-{index % ITEMS}",
            "item_cost": 100 + index,
            "item_title": "Television",
        }

    created: list[dict[str, Any]] = []
    bench.measure(
        f"POST /warranties ({STORES} stores, {ITEMS} items)",
        "request",
        _repeat(
            WARRANTIES,
            lambda i: created.append(_json(bench.http("warranties", "POST", "/warranties", body=sold(i)))),
        ),
        routes=(("POST", "/warranties"),),
        target="1 TransactWriteItems + ids/50 + 1 GetItem per store first met",
        check=lambda calls, served: (
            calls["dynamodb.TransactWriteItems"] == served
            and calls["dynamodb.UpdateItem"] <= -(-served // 50)
            and calls["dynamodb.GetItem"] <= STORES
            and sum(calls.values())
            == calls["dynamodb.TransactWriteItems"] + calls["dynamodb.UpdateItem"] + calls["dynamodb.GetItem"]
        ),
    )
    bench.handler("warranties").warranty_service.cache_clear()  # a new container: stores it never saw
    bench.handlers.pop("warranties")
    bench.measure(
        "POST /warranties (new container, known stores)",
        "request",
        _repeat(WARRANTIES, lambda i: bench.http("warranties", "POST", "/warranties", body=sold(i))),
        target="+1 GetItem per store it meets first",
        check=lambda calls, served: (
            calls["dynamodb.TransactWriteItems"] == served and calls["dynamodb.GetItem"] <= STORES
        ),
    )

    def keyed(i: int) -> None:
        bench.http(
            "warranties", "POST", "/warranties", body=sold(i), headers={"Idempotency-Key": f"{run}-{i}"}
        )

    bench.measure(
        "POST /warranties + Idempotency-Key (first)",
        "request",
        _repeat(20, keyed),
        target="as without a key: 1 TransactWriteItems",
        check=one_transaction_and_ids,
    )
    bench.measure(
        "POST /warranties + Idempotency-Key (replay)",
        "request",
        _repeat(20, keyed),
        target=REPLAY_TARGET,
        check=one_each("dynamodb.TransactWriteItems"),
    )
    store, sku = stores[0], f"SKU-{run}-0"
    bench.measure(
        "GET /warranties?sku&item_type&store_uuid",
        "page",
        _pages(
            bench, "warranties", f"/warranties?sku={sku}&item_type=electronics&store_uuid={store}&limit=2", 2
        ),
        routes=(("GET", "/warranties"),),
        target="1 Query per page",
        check=one_each("dynamodb.Query"),
    )
    bench.measure(
        "GET /warranties (page of 50)",
        "page",
        _pages(bench, "warranties", "/warranties?limit=50", 2),
        target="1 Scan per page",
        check=one_each("dynamodb.Scan"),
    )
    bench.measure(
        "GET /warranties/{id}",
        "request",
        _repeat(20, lambda i: bench.http("warranties", "GET", f"/warranties/{created[i]['id']}")),
        routes=(("GET", "/warranties/{id}"),),
        target="1 GetItem",
        check=one_each("dynamodb.GetItem"),
    )
    bench.measure(
        "GET /warranty-plans",
        "request",
        _repeat(5, lambda _: bench.http("warranties", "GET", "/warranty-plans")),
        routes=(("GET", "/warranty-plans"),),
        target="none",
        check=no_calls,
    )
    images = _warranty_images(created[:20])
    bench.measure(
        ARCHIVER_ROW,
        "record",
        lambda: _served(len(images), bench.call("warranty-archiver", stream_event(images))),
        target="1 PutObject",
        check=one_each("s3.PutObject"),
    )


def _warranty_images(created: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from shopfloor.platform import aws

    table = os.environ["WARRANTIES_TABLE_NAME"]
    client = aws.client("dynamodb")
    return [client.get_item(TableName=table, Key={"id": {"N": str(w["id"])}})["Item"] for w in created]


def factories(bench: Bench) -> None:
    sprocket = {"teeth": 12, "pitch_diameter": 49.07, "outside_diameter": 55.02, "pitch": 12.7}
    made: list[int] = []

    def create_sprocket(_: int) -> None:
        made.append(_json(bench.http("sprockets", "POST", "/v1/sprockets", body=sprocket))["id"])

    bench.measure(
        "POST /v1/sprockets", "request", _repeat(10, create_sprocket), routes=(("POST", "/v1/sprockets"),)
    )
    run = uuid.uuid4().hex[:8]

    def keyed_sprocket(i: int) -> None:
        bench.http(
            "sprockets", "POST", "/v1/sprockets", body=sprocket, headers={"Idempotency-Key": f"{run}-{i}"}
        )

    bench.measure(
        "POST /v1/sprockets + Idempotency-Key (first)",
        "request",
        _repeat(10, keyed_sprocket),
        target="1 TransactWriteItems (+ ids/50)",
        check=one_transaction_and_ids,
    )
    bench.measure(
        "POST /v1/sprockets + Idempotency-Key (replay)",
        "request",
        _repeat(10, keyed_sprocket),
        target=REPLAY_TARGET,
        check=one_each("dynamodb.TransactWriteItems"),
    )
    bench.measure(
        "GET /v1/sprockets/{id}",
        "request",
        _repeat(10, lambda i: bench.http("sprockets", "GET", f"/v1/sprockets/{made[i]}")),
        routes=(("GET", "/v1/sprockets/{id}"),),
        target="1 GetItem",
        check=one_each("dynamodb.GetItem"),
    )
    bench.measure(
        "PUT /v1/sprockets/{id}",
        "request",
        _repeat(5, lambda i: bench.http("sprockets", "PUT", f"/v1/sprockets/{made[i]}", body=sprocket)),
        routes=(("PUT", "/v1/sprockets/{id}"),),
    )
    bench.measure(
        "GET /v1/sprockets (page of 5)",
        "page",
        _pages(bench, "sprockets", "/v1/sprockets?limit=5", 2),
        routes=(("GET", "/v1/sprockets"),),
    )
    start = 1_795_075_200
    points = 2_500  # three chunks of points
    chart = {
        "sprocket_production_actual": [30 + i % 5 for i in range(points)],
        "sprocket_production_goal": [30] * points,
        "time": [start + 60 * i for i in range(points)],
    }
    factory: list[int] = []
    bench.measure(
        f"POST /v1/factories ({points} points)",
        "request",
        _repeat(
            2,
            lambda _: factory.append(
                _json(bench.http("factories", "POST", "/v1/factories", body={"chart_data": chart}))["id"]
            ),
        ),
        routes=(("POST", "/v1/factories"),),
    )

    def keyed_factory(i: int) -> None:
        body = {"chart_data": chart}
        bench.http(
            "factories", "POST", "/v1/factories", body=body, headers={"Idempotency-Key": f"{run}-f{i}"}
        )

    bench.measure(
        f"POST /v1/factories ({points} points) + Idempotency-Key (first)",
        "request",
        _repeat(2, keyed_factory),
        target="+1 GetItem of the key, read first",
    )
    bench.measure(
        f"POST /v1/factories ({points} points) + Idempotency-Key (replay)",
        "request",
        _repeat(2, keyed_factory),
        target="no write: the key, then the factory read back",
        check=lambda calls, _: not dynamodb_writes(calls),
    )
    bench.measure(
        "GET /v1/factories/{id} (all points)",
        "request",
        _repeat(5, lambda _: bench.http("factories", "GET", f"/v1/factories/{factory[0]}")),
        routes=(("GET", "/v1/factories/{id}"),),
    )
    middle = f"from={start + 60 * 1000}&to={start + 60 * 1100}"
    bench.measure(
        "GET /v1/factories/{id}?from&to (100 points)",
        "request",
        _repeat(5, lambda _: bench.http("factories", "GET", f"/v1/factories/{factory[0]}?{middle}")),
    )
    bench.measure(
        "GET /v1/factories/{id}/chart.svg",
        "request",
        _repeat(5, lambda _: bench.http("factories", "GET", f"/v1/factories/{factory[0]}/chart.svg")),
        routes=(("GET", "/v1/factories/{id}/chart.svg"),),
    )
    bench.measure(
        "GET /v1/factories (page of 2)",
        "page",
        _pages(bench, "factories", "/v1/factories?limit=2", 2),
        target="1 Query of the index, then the points of each factory",
        routes=(("GET", "/v1/factories"),),
    )
    bench.measure(
        "GET /v1/factories?view=summary (page of 2)",
        "page",
        _pages(bench, "factories", "/v1/factories?view=summary&limit=2", 2),
        target="1 Query per page (no Scan)",
        check=one_each("dynamodb.Query"),
    )


MANAGER = {"sub": "bench-manager", "email": "manager@example.com", "cognito:groups": "managers"}
CUSTOMER = {"sub": "bench-customer", "email": "customer@example.com", "cognito:groups": "customers"}


def shop(bench: Bench) -> None:
    run = uuid.uuid4().hex[:8]
    emails = [f"bench-{run}-{index}@example.com" for index in range(5)]
    password = "Bench-password-1"
    bench.measure(
        "POST /auth/signup",
        "request",
        _repeat(
            5,
            lambda i: bench.http(
                "auth", "POST", "/auth/signup", body={"email": emails[i], "password": password}
            ),
        ),
        routes=(("POST", "/auth/signup"),),
        target="create, set the password, add to the group",
    )
    bench.measure(
        "POST /auth/token",
        "request",
        _repeat(
            5,
            lambda i: bench.http(
                "auth", "POST", "/auth/token", body={"username": emails[i], "password": password}
            ),
        ),
        routes=(("POST", "/auth/token"),),
        target="1 InitiateAuth",
        check=one_each("cognito-idp.InitiateAuth"),
    )
    bench.measure(
        "GET /users/me",
        "request",
        _repeat(5, lambda _: bench.http("auth", "GET", "/users/me", claims=CUSTOMER)),
        routes=(("GET", "/users/me"),),
        target="none: the token's claims",
        check=no_calls,
    )
    products: list[dict[str, Any]] = []

    def add_product(index: int) -> None:
        body = {"name": f"Bench {run} {index}", "description": "Benchmarked.", "price": 3.5}
        products.append(_json(bench.http("menu", "POST", "/menu/products", body=body, claims=MANAGER)))

    bench.measure(
        "POST /menu/products",
        "request",
        _repeat(10, add_product),
        routes=(("POST", "/menu/products"),),
        target="read the view, 1 TransactWriteItems (product + view)",
    )
    variations: list[int] = []

    def add_variation(index: int) -> None:
        path = f"/menu/products/{products[index]['id']}/variations"
        body = {"name": "Large", "price_change": 0.5}
        variations.append(_json(bench.http("menu", "POST", path, body=body, claims=MANAGER))["id"])

    bench.measure(
        "POST /menu/products/{id}/variations",
        "request",
        _repeat(10, add_variation),
        routes=(("POST", "/menu/products/{id}/variations"),),
    )
    product_path = "/menu/products/{id}"
    variation_path = "/menu/products/{id}/variations/{vid}"
    bench.measure(
        "PATCH /menu/products/{id}",
        "request",
        _repeat(
            3,
            lambda i: bench.http(
                "menu", "PATCH", f"/menu/products/{products[i]['id']}", body={"price": 3.75}, claims=MANAGER
            ),
        ),
        routes=(("PATCH", product_path),),
    )
    bench.measure(
        "PATCH /menu/products/{id}/variations/{vid}",
        "request",
        _repeat(
            3,
            lambda i: bench.http(
                "menu",
                "PATCH",
                f"/menu/products/{products[i]['id']}/variations/{variations[i]}",
                body={"price_change": 0.6},
                claims=MANAGER,
            ),
        ),
        routes=(("PATCH", variation_path),),
    )
    bench.measure(
        "GET /menu",
        "request",
        _repeat(10, lambda _: bench.http("menu", "GET", "/menu")),
        routes=(("GET", "/menu"),),
        target="1 GetItem",
        check=one_each("dynamodb.GetItem"),
    )

    def order(index: int, key: str | None = None) -> dict[str, Any]:
        product = products[index % len(products)]
        line = {
            "product_id": product["id"],
            "variation_id": variations[index % len(variations)],
            "quantity": 2,
        }
        headers = {} if key is None else {"Idempotency-Key": key}
        body = {"location": "in_house", "lines": [line]}
        return dict(
            _json(bench.http("orders", "POST", "/orders", body=body, claims=CUSTOMER, headers=headers))
        )

    orders: list[int] = []
    bench.measure(
        "POST /orders",
        "request",
        _repeat(20, lambda i: orders.append(order(i)["id"])),
        routes=(("POST", "/orders"),),
        target="1 GetItem (the menu view) + 1 TransactWriteItems (+ ids/50)",
        check=lambda calls, served: (
            calls["dynamodb.GetItem"] == served
            and calls["dynamodb.TransactWriteItems"] == served
            and calls["dynamodb.UpdateItem"] <= 1
            and sum(calls.values()) == 2 * served + calls["dynamodb.UpdateItem"]
        ),
    )
    bench.measure(
        "POST /orders + Idempotency-Key (first)",
        "request",
        _repeat(5, lambda i: order(i, f"{run}-{i}")),
        target="as without a key: 1 GetItem + 1 TransactWriteItems",
    )
    bench.measure(
        "POST /orders + Idempotency-Key (replay)",
        "request",
        _repeat(5, lambda i: order(i, f"{run}-{i}")),
        target="the same 2 calls: the cancelled transaction returns the record",
        check=lambda calls, served: (
            calls == Counter({"dynamodb.GetItem": served, "dynamodb.TransactWriteItems": served})
        ),
    )
    bench.measure(
        "PATCH /orders/{id}/status",
        "request",
        _repeat(
            10,
            lambda i: bench.http(
                "orders",
                "PATCH",
                f"/orders/{orders[i]}/status",
                body={"status": "preparation"},
                claims=MANAGER,
            ),
        ),
        routes=(("PATCH", "/orders/{id}/status"),),
        target="1 UpdateItem (conditional)",
        check=one_each("dynamodb.UpdateItem"),
    )
    bench.measure(
        "POST /orders/{id}/cancel",
        "request",
        _repeat(
            5, lambda i: bench.http("orders", "POST", f"/orders/{orders[10 + i]}/cancel", claims=CUSTOMER)
        ),
        routes=(("POST", "/orders/{id}/cancel"),),
        target="1 UpdateItem (conditional)",
        check=one_each("dynamodb.UpdateItem"),
    )
    bench.measure(
        "GET /orders/{id}",
        "request",
        _repeat(10, lambda i: bench.http("orders", "GET", f"/orders/{orders[i]}", claims=CUSTOMER)),
        routes=(("GET", "/orders/{id}"),),
        target="1 GetItem",
        check=one_each("dynamodb.GetItem"),
    )
    bench.measure(
        "GET /orders/{id}/events",
        "request",
        _repeat(10, lambda i: bench.http("orders", "GET", f"/orders/{orders[i]}/events", claims=MANAGER)),
        routes=(("GET", "/orders/{id}/events"),),
        target="1 GetItem",
        check=one_each("dynamodb.GetItem"),
    )
    for label, claims, query in (
        ("GET /orders (a customer's, page of 5)", CUSTOMER, "limit=5"),
        ("GET /orders (a manager's, page of 5)", MANAGER, "limit=5"),
        ("GET /orders?status= (a manager's, page of 5)", MANAGER, "status=preparation&limit=5"),
    ):
        bench.measure(
            label,
            "page",
            _pages(bench, "orders", f"/orders?{query}", 2, claims=claims),
            routes=(("GET", "/orders"),),
            target="1 Query per page",
            check=one_each("dynamodb.Query"),
        )
    bench.measure(
        "DELETE /menu/products/{id}/variations/{vid}",
        "request",
        _repeat(
            3,
            lambda i: bench.http(
                "menu",
                "DELETE",
                f"/menu/products/{products[i]['id']}/variations/{variations[i]}",
                claims=MANAGER,
            ),
        ),
        routes=(("DELETE", variation_path),),
    )
    bench.measure(
        "DELETE /menu/products/{id}",
        "request",
        _repeat(
            len(products),
            lambda i: bench.http("menu", "DELETE", f"/menu/products/{products[i]['id']}", claims=MANAGER),
        ),
        routes=(("DELETE", product_path),),
    )


def shop_events(bench: Bench) -> None:
    """The orders' stream through order-events onto the bus, and the rule's queue through the
    notifier: the local cloud's bus delivers to that queue (moto), read here as Lambda would."""
    from infra.local import resources
    from infra.topology import ORDER_EMAILS
    from shopfloor.platform import aws

    placed = [
        _json(
            bench.http(
                "orders",
                "POST",
                "/orders",
                body={"location": "take_away", "lines": [{"product_id": product, "quantity": 1}]},
                claims=CUSTOMER,
            )
        )["id"]
        for product in _plain_products(bench, 25)
    ]
    table = os.environ["ORDERS_TABLE_NAME"]
    client = aws.client("dynamodb")
    images = [client.get_item(TableName=table, Key={"id": {"N": str(i)}})["Item"] for i in placed]
    bench.measure(
        ORDER_EVENTS_PLACED_ROW,
        "record",
        lambda: _served(len(images), bench.call("order-events", stream_event(images, table="orders"))),
        target="1 PutEvents per 10 records",
        check=lambda calls, served: calls == Counter({"events.PutEvents": -(-served // 10)}),
    )
    # The functions' environment points every AWS client but DynamoDB's at the benchmark's moto.
    sqs = resources.local_client("sqs", os.environ["AWS_ENDPOINT_URL"])
    queue_url = sqs.get_queue_url(QueueName=resources.queue_name(ORDER_EMAILS))["QueueUrl"]
    context = FakeLambdaContext(function_name="notifier", remaining_ms=30_000)
    ours = set(placed)

    def queued(detail_type: str) -> list[str]:
        """The rule's events of `detail_type` about this scenario's orders, as the notifier's event
        source would receive them. Any other event in the queue is dropped: the cold-start
        benchmark, run before on the same moto, leaves one OrderPlaced of its order 1 per run."""
        bodies: list[str] = []
        deadline = time.monotonic() + QUEUE_WAIT_SECONDS
        while len(bodies) < len(ours):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{len(bodies)} of {len(ours)} {detail_type} events queued")
            messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            for message in messages.get("Messages", []):
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
                event = json.loads(message["Body"])
                if event["detail-type"] == detail_type and event["detail"]["order_id"] in ours:
                    bodies.append(message["Body"])
        return bodies

    def notify(bodies: list[str], emails_each: int) -> Callable[[], int]:
        def run() -> int:
            for start in range(0, len(bodies), 10):
                bench.call("notifier", sqs_event(*bodies[start : start + 10], queue="order-emails"), context)
            return emails_each * len(bodies)

        return run

    placed_events = queued("OrderPlaced")
    bench.measure(
        NOTIFIER_PLACED_ROW,
        "e-mail",
        notify(placed_events, 2),
        target="1 conditional PutItem + 1 SendEmail",
        check=lambda calls, served: calls == Counter({"dynamodb.PutItem": served, "email.SendEmail": served}),
    )
    bench.measure(
        "notifier (the same events again)",
        "e-mail",
        notify(placed_events, 2),
        target="1 conditional PutItem (refused), no SendEmail",
        check=one_each("dynamodb.PutItem"),
    )
    for order_id in placed:
        bench.http(
            "orders", "PATCH", f"/orders/{order_id}/status", body={"status": "preparation"}, claims=MANAGER
        )
    moved = [client.get_item(TableName=table, Key={"id": {"N": str(i)}})["Item"] for i in placed]
    bench.measure(
        ORDER_EVENTS_CHANGED_ROW,
        "record",
        lambda: _served(
            len(moved),
            bench.call(
                "order-events", stream_event(moved, table="orders", event_names=["MODIFY"] * len(moved))
            ),
        ),
        target="1 PutEvents per 10 records",
        check=lambda calls, served: calls == Counter({"events.PutEvents": -(-served // 10)}),
    )
    bench.measure(
        NOTIFIER_CHANGED_ROW,
        "e-mail",
        notify(queued("OrderStatusChanged"), 1),
        target="1 TransactWriteItems (the claim, and the step before's) + 1 SendEmail",
        check=lambda calls, served: (
            calls == Counter({"dynamodb.TransactWriteItems": served, "email.SendEmail": served})
        ),
    )


def _plain_products(bench: Bench, count: int) -> list[int]:
    """Products of the menu without variations, `count` of them, over and over."""
    view = _json(bench.http("menu", "GET", "/menu"))
    plain = [product["id"] for product in view if not product["variations"]]
    if not plain:
        body = {"name": f"Bench tea {uuid.uuid4().hex[:8]}", "description": None, "price": 2.5}
        plain = [_json(bench.http("menu", "POST", "/menu/products", body=body, claims=MANAGER))["id"]]
    return [plain[index % len(plain)] for index in range(count)]


def platform(bench: Bench) -> None:
    bench.measure(
        "GET /health",
        "request",
        _repeat(5, lambda _: bench.http("health", "GET", "/health")),
        routes=(("GET", "/health"),),
    )
    for path in ("/openapi.json", "/docs"):
        bench.measure(
            f"GET {path}",
            "request",
            _repeat(5, partial(_get, bench, "docs", path)),
            routes=(("GET", path),),
            target="none",
            check=no_calls,
        )


SCENARIOS: tuple[Callable[[Bench], None], ...] = (
    products_and_offers,
    warranties,
    factories,
    shop,
    shop_events,
    platform,
)


def run(environments: Mapping[str, Mapping[str, str]], handlers_output: Path) -> Bench:
    """Runs every scenario in this process with the union of the functions' environments. What
    the handlers print (their logs, Powertools' metrics) goes to `handlers_output`, not to the
    benchmark's output."""
    for environment in environments.values():
        os.environ.update({name: value for name, value in environment.items() if name != "PYTHONPATH"})
    os.environ["POWERTOOLS_LOG_LEVEL"] = "ERROR"
    bench = Bench()
    printed = io.StringIO()
    try:
        # Powertools' Logger keeps the stream it was created with: a handler is loaded inside.
        with redirect_stdout(printed), redirect_stderr(printed):
            for scenario in SCENARIOS:
                scenario(bench)
    finally:
        handlers_output.parent.mkdir(parents=True, exist_ok=True)
        handlers_output.write_text(printed.getvalue(), encoding="utf-8")
    return bench


def table(bench: Bench) -> str:
    lines = [
        "AWS calls per request (botocore before-call hooks; one warm container per function)",
        f"{'route or event':<48} {'per':<8} {'n':>4} {'calls':>6}  {'by operation':<58} target",
    ]
    for row in bench.rows:
        verdict = "" if row.met is None else ("ok" if row.met else "MISSED")
        lines.append(
            f"{row.label:<48} {row.unit:<8} {row.served:>4} {row.total():>6.2f}  {row.per_unit():<58} "
            f"{row.target} {verdict}".rstrip()
        )
    missing = sorted({(route.method, route.path) for route, _ in all_routes()} - bench.covered)
    if missing:
        lines.append("not measured: " + ", ".join(f"{method} {path}" for method, path in missing))
    return "\n".join(lines)
