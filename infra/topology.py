"""The one declaration of Shopfloor's functions, routes and tables.

The CDK stack and the local cloud both read this module: what runs locally is what deploys.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from fnmatch import fnmatchcase
from pathlib import Path
from types import MappingProxyType

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = ROOT / "functions"
SHARED_LAYER_DIR = ROOT / "layers" / "shopfloor"
# The package every context's code lives in (SHARED_LAYER_DIR/python/shopfloor), and its package
# that every context shares.
SHARED_PACKAGE = "shopfloor"
PLATFORM_PACKAGE = "platform"

APP_NAME = "Shopfloor"
METRICS_NAMESPACE = "Shopfloor"
HANDLER = "handler.lambda_handler"
ID_BLOCK_SIZE = 50


class KeyType(StrEnum):
    STRING = "S"
    NUMBER = "N"


class Access(Enum):
    READ = "read"
    READ_WRITE = "read_write"


def _env_name(name: str) -> str:
    return name.upper().replace("-", "_")


@dataclass(frozen=True)
class Key:
    name: str
    type: KeyType


@dataclass(frozen=True)
class Index:
    """A global secondary index, projecting every attribute."""

    name: str
    partition_key: Key
    sort_key: Key | None = None
    # Set for an index of every item: each one carries this value as its partition key, so one
    # Query lists them all in sort-key order (infra/backfill.py gives it to items written before).
    every_item: str | None = None


@dataclass(frozen=True)
class Table:
    """A DynamoDB table: on demand, point-in-time recovery, reached by key or index."""

    name: str
    partition_key: Key
    sort_key: Key | None = None
    ttl_attribute: str | None = None
    indexes: tuple[Index, ...] = ()
    # A stream of new images (NEW_IMAGE), for a function that `streams_from` the table.
    stream: bool = False

    @property
    def env_var(self) -> str:
        return f"{_env_name(self.name)}_TABLE_NAME"


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    # Behind the user pool's authorizer: API Gateway (or the local gateway) refuses a request
    # without a valid token with 401 and hands the function the token's claims.
    signed_in: bool = False

    @property
    def resource_path(self) -> str:
        """The path with a trailing slash removed, as API Gateway and Powertools match it."""
        return self.path.rstrip("/") or "/"


@dataclass(frozen=True)
class Queue:
    """An SQS queue with its dead-letter queue; its consumer reports partial batch failures."""

    name: str
    batch_size: int = 10
    # Consumers at once (the event source's maximum concurrency): protects what they call.
    max_concurrency: int = 5
    visibility_timeout_seconds: int = 60
    # Receives before a message moves to the dead-letter queue (which has an alarm).
    max_receive_count: int = 3
    dlq_retention_days: int = 14

    @property
    def env_var(self) -> str:
        return f"{_env_name(self.name)}_QUEUE_URL"


@dataclass(frozen=True)
class Bucket:
    """An S3 bucket: encrypted, versioned, private, TLS only; objects move to a cheaper class."""

    name: str
    description: str
    infrequent_access_after_days: int = 30
    glacier_after_days: int = 180

    @property
    def env_var(self) -> str:
        return f"{_env_name(self.name)}_BUCKET_NAME"


@dataclass(frozen=True)
class TableStream:
    """A DynamoDB stream event source: retried, bisected on error, reporting partial batch failures;
    what still fails after the retries goes to the function's on-failure queue (with an alarm)."""

    table: str
    batch_size: int = 100
    batching_window_seconds: int = 1
    retry_attempts: int = 5
    max_record_age_seconds: int = 6 * 60 * 60
    # Only these event names reach the function (an event filter).
    event_names: tuple[str, ...] = ("INSERT",)
    failures_retention_days: int = 14


@dataclass(frozen=True)
class Secret:
    """A Secrets Manager secret whose value an operator puts in after deploying."""

    name: str
    description: str

    @property
    def env_var(self) -> str:
        return f"{_env_name(self.name)}_SECRET_ID"


@dataclass(frozen=True)
class Service:
    """An HTTP service outside Shopfloor; its base URL is a setting."""

    name: str
    description: str

    @property
    def env_var(self) -> str:
        return f"{_env_name(self.name)}_URL"


@dataclass(frozen=True)
class UserPool:
    """A Cognito user pool: e-mail addresses as usernames, users in groups, signed up only through
    the API (an administrator creates each user), and one app client for the password flow."""

    name: str
    groups: tuple[str, ...]
    password_min_length: int = 8
    # Letters and digits are required; case and symbols are not.
    token_validity_minutes: int = 60

    @property
    def env_var(self) -> str:
        return f"{_env_name(self.name)}_POOL_ID"

    @property
    def client_env_var(self) -> str:
        return f"{_env_name(self.name)}_CLIENT_ID"


@dataclass(frozen=True)
class Rule:
    """A rule on an event bus: the events of `source` with one of `detail_types` go to `queue` (an
    SQS target; what EventBridge cannot deliver goes to the rule's dead-letter queue)."""

    name: str
    source: str
    detail_types: tuple[str, ...]
    queue: str

    @property
    def event_pattern(self) -> dict[str, list[str]]:
        return {"source": [self.source], "detail-type": list(self.detail_types)}


@dataclass(frozen=True)
class EventBus:
    """An EventBridge event bus, its archive (every event, kept for `archive_retention_days`, to
    replay to a new subscriber) and its rules."""

    name: str
    description: str
    archive_retention_days: int
    rules: tuple[Rule, ...] = ()

    @property
    def env_var(self) -> str:
        return f"{_env_name(self.name)}_EVENT_BUS_NAME"


@dataclass(frozen=True)
class EmailSender:
    """An SES e-mail identity that functions send from. Deployed, its address is the CDK context
    value `context_key` and the stack declares the identity; locally it is `local_address`, which
    the local cloud verifies in moto."""

    name: str
    context_key: str
    local_address: str

    @property
    def env_var(self) -> str:
        return f"{_env_name(self.name)}_SENDER"


@dataclass(frozen=True)
class ContextSetting:
    """A function setting that whoever deploys gives (the CDK context value `context_key`, e-mail
    addresses and the like); locally it is `local_value`."""

    env_var: str
    context_key: str
    local_value: str
    description: str


@dataclass(frozen=True)
class Site:
    """Static web pages (HTML, CSS, ES modules), served at `path_prefix` on the API's own origin, so
    that they call the API with relative URLs and nothing needs CORS: locally the local gateway
    serves them from `source_dir` as they are on disk; deployed, CloudFront serves them from a
    private bucket, where `source_dir` is uploaded under `key_prefix`, and sends every API path to
    API Gateway (`api_path_patterns`). A folder's `index` answers for the folder (`/app/`)."""

    name: str
    path_prefix: str
    source_dir: Path
    index: str = "index.html"
    # Never served nor uploaded (AWS CLI filters, matched against the path below `source_dir`):
    # hidden files, such as an editor's or the OS's.
    exclude: tuple[str, ...] = (".*", "*/.*")

    @property
    def key_prefix(self) -> str:
        """`/app` -> `app/`: where the bucket keeps the pages, so that a page's path is its key."""
        return f"{self.path_prefix.strip('/')}/"

    @property
    def home_path(self) -> str:
        """`/app` -> `/app/`: the page a visitor lands on (`index` of `source_dir`)."""
        return f"{self.path_prefix.rstrip('/')}/"


@dataclass(frozen=True)
class BoundedContext:
    """A bounded context: its code is its `packages` of the shopfloor package, which import only
    each other, shopfloor.platform and third-party packages; deployed, they are its own layer."""

    name: str
    packages: tuple[str, ...]


CATALOG_CONTEXT = BoundedContext(name="catalog", packages=("catalog",))
WARRANTIES_CONTEXT = BoundedContext(name="warranties", packages=("warranties",))
FACTORIES_CONTEXT = BoundedContext(name="factories", packages=("factories", "sprockets"))
SHOP_CONTEXT = BoundedContext(name="shop", packages=("shop",))
# The API's own routes (/health, /docs, /openapi.json), which belong to no business context.
OPERATIONS_CONTEXT = BoundedContext(name="operations", packages=("operations",))
BOUNDED_CONTEXTS: tuple[BoundedContext, ...] = (
    CATALOG_CONTEXT,
    WARRANTIES_CONTEXT,
    FACTORIES_CONTEXT,
    SHOP_CONTEXT,
    OPERATIONS_CONTEXT,
)


@dataclass(frozen=True)
class Function:
    """One Lambda function: its code is functions/<name with _ for ->, its handler HANDLER; it
    imports only its context's packages, shopfloor.platform and third-party packages."""

    name: str
    description: str
    context: BoundedContext
    routes: tuple[Route, ...] = ()
    tables: Mapping[str, Access] = field(default_factory=lambda: MappingProxyType({}))
    settings: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    memory_mb: int = 1024
    timeout_seconds: int = 10
    # EventBridge invokes it every this many minutes.
    schedule_minutes: int | None = None
    # The queue whose messages it consumes (an SQS event source), and those it sends to.
    consumes: str | None = None
    sends_to: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    # A table stream it consumes, and the buckets it writes to.
    streams_from: TableStream | None = None
    writes_to: tuple[str, ...] = ()
    # The user pool whose users it administers (creates, sets passwords of, adds to groups) and
    # signs in through the pool's app client.
    administers: str | None = None
    # The event bus it puts events on (events:PutEvents on that bus only).
    publishes_to: str | None = None
    # The SES identity it sends e-mail from (ses:SendEmail from that identity only).
    sends_email_from: str | None = None
    # Settings given at deploy time (CDK context), such as an e-mail address.
    context_settings: tuple[ContextSetting, ...] = ()

    @property
    def code_dir(self) -> Path:
        return FUNCTIONS_DIR / self.name.replace("-", "_")


def _routes(*pairs: tuple[str, str]) -> tuple[Route, ...]:
    return tuple(Route(method, path) for method, path in pairs)


def _signed_in(*pairs: tuple[str, str]) -> tuple[Route, ...]:
    return tuple(Route(method, path, signed_in=True) for method, path in pairs)


IDS = Table(name="ids", partition_key=Key("sequence", KeyType.STRING))
PRODUCTS = Table(name="products", partition_key=Key("id", KeyType.NUMBER))
# The offers of a product as last synchronised, all in one item (sort key "all": catalog/models.py).
OFFERS = Table(
    name="offers", partition_key=Key("product_id", KeyType.NUMBER), sort_key=Key("offer_id", KeyType.STRING)
)
# Observed changes, by product and time; they expire (TTL) after PRICE_HISTORY_DAYS.
PRICE_HISTORY = Table(
    name="price-history",
    partition_key=Key("product_id", KeyType.NUMBER),
    sort_key=Key("entry", KeyType.STRING),
    ttl_attribute="expires_at",
)
# Shared credentials, such as the offers service's access token, with a refresh lease.
TOKENS = Table(name="tokens", partition_key=Key("name", KeyType.STRING))

# Warranties: a store is unique by its uuid, an item by type and sku (one key, "type#sku").
STORES = Table(name="stores", partition_key=Key("store_uuid", KeyType.STRING))
ITEMS = Table(name="items", partition_key=Key("item_key", KeyType.STRING))
# A store's warranties for one item, by id: the filtered GET reads this index, never a Scan.
WARRANTIES_BY_STORE_ITEM = Index(
    name="by-store-item",
    partition_key=Key("store_item", KeyType.STRING),
    sort_key=Key("id", KeyType.NUMBER),
)
WARRANTIES = Table(
    name="warranties",
    partition_key=Key("id", KeyType.NUMBER),
    indexes=(WARRANTIES_BY_STORE_ITEM,),
    stream=True,
)
# Idempotency-Key records of every POST that takes one (shopfloor.platform.idempotency), written in
# the transaction that creates; a route's keys expire through the TTL, or never (factories, sprockets).
IDEMPOTENCY = Table(name="idempotency", partition_key=Key("id", KeyType.STRING), ttl_attribute="expiration")
# Factories: a factory's summary, and its chart in chunks of points by the time of their first.
# Factories, listed in id order from an index under one partition key ("listing" is always
# "factories"): factories are created far below one partition's write limit, and a list reads one
# Query per page instead of a Scan. Each item is a summary (its points are in factory-points).
FACTORIES_BY_ID = Index(
    name="by-id",
    partition_key=Key("listing", KeyType.STRING),
    sort_key=Key("id", KeyType.NUMBER),
    every_item="factories",
)
FACTORIES = Table(name="factories", partition_key=Key("id", KeyType.NUMBER), indexes=(FACTORIES_BY_ID,))
FACTORY_POINTS = Table(
    name="factory-points",
    partition_key=Key("factory_id", KeyType.NUMBER),
    sort_key=Key("start", KeyType.NUMBER),
)
SPROCKETS = Table(name="sprockets", partition_key=Key("id", KeyType.NUMBER))
# The shop's menu: one item per product (id "product#<id>", with its variations, deleted ones
# kept), and the precomputed view of the whole menu as served (id "view"), written together.
MENU = Table(name="menu", partition_key=Key("id", KeyType.STRING))
# Orders, each with its timeline. Lists read an index, newest first (sort key "placed":
# "<created_at>#<id>"): a customer's orders, the orders in one status, and all of them.
ORDERS_PLACED = Key("placed", KeyType.STRING)
ORDERS_BY_CUSTOMER = Index(
    name="by-customer", partition_key=Key("customer", KeyType.STRING), sort_key=ORDERS_PLACED
)
ORDERS_BY_STATUS = Index(
    name="by-status", partition_key=Key("status", KeyType.STRING), sort_key=ORDERS_PLACED
)
# Every order under one partition key ("listing" is always "orders"): a coffee shop's order rate
# is far below one partition's write limit.
ORDERS_BY_TIME = Index(
    name="by-time", partition_key=Key("listing", KeyType.STRING), sort_key=ORDERS_PLACED, every_item="orders"
)
ORDERS = Table(
    name="orders",
    partition_key=Key("id", KeyType.NUMBER),
    indexes=(ORDERS_BY_CUSTOMER, ORDERS_BY_STATUS, ORDERS_BY_TIME),
    stream=True,
)
# The e-mails the notifier sent, one item per order event and recipient, written by a conditional
# put before sending: a redelivered event finds it and sends nothing again. Kept as long as the
# event bus's archive, so that replaying the archive to the notifier sends nothing twice either.
SENT_EMAILS = Table(name="sent-emails", partition_key=Key("id", KeyType.STRING), ttl_attribute="expires_at")

TABLES: tuple[Table, ...] = (
    IDS,
    PRODUCTS,
    OFFERS,
    PRICE_HISTORY,
    TOKENS,
    STORES,
    ITEMS,
    WARRANTIES,
    IDEMPOTENCY,
    FACTORIES,
    FACTORY_POINTS,
    SPROCKETS,
    MENU,
    ORDERS,
    SENT_EMAILS,
)

# Visibility at 6x the worker's timeout, as AWS advises for SQS event sources (throttled retries).
OFFERS_SYNC = Queue(name="offers-sync", batch_size=10, max_concurrency=5, visibility_timeout_seconds=180)
# The shop's order events, from the bus to the notifier. Few consumers at once: SES limits the
# sending rate (one e-mail a second in the sandbox). Visibility at 6x the notifier's timeout.
ORDER_EMAILS = Queue(name="order-emails", batch_size=10, max_concurrency=2, visibility_timeout_seconds=180)
QUEUES: tuple[Queue, ...] = (OFFERS_SYNC, ORDER_EMAILS)

OFFERS_REFRESH_TOKEN = Secret(
    name="offers-refresh-token", description="The refresh token the offers service issued to Shopfloor."
)
SECRETS: tuple[Secret, ...] = (OFFERS_REFRESH_TOKEN,)

OFFERS_SERVICE = Service(name="offers-service", description="The external offers service.")
SERVICES: tuple[Service, ...] = (OFFERS_SERVICE,)

WARRANTY_ARCHIVE = Bucket(
    name="warranty-archive",
    description="Every warranty's request and response, one JSON object each, by date.",
)
BUCKETS: tuple[Bucket, ...] = (WARRANTY_ARCHIVE,)

MANAGERS = "managers"
CUSTOMERS = "customers"
SHOP_USERS = UserPool(name="shop-users", groups=(MANAGERS, CUSTOMERS))
USER_POOLS: tuple[UserPool, ...] = (SHOP_USERS,)

# The shop's order events: what `order-events` puts on the bus, and the rule that e-mails them.
SHOP_EVENTS_SOURCE = "shopfloor.shop"
ORDER_EVENT_TYPES = ("OrderPlaced", "OrderStatusChanged", "OrderCancelled")
EVENTS_ARCHIVE_DAYS = 90
SHOPFLOOR_BUS = EventBus(
    name="shopfloor",
    description="Shopfloor's business events; the shop's order events come from the orders table's stream.",
    archive_retention_days=EVENTS_ARCHIVE_DAYS,
    rules=(
        Rule(
            name="order-emails",
            source=SHOP_EVENTS_SOURCE,
            detail_types=ORDER_EVENT_TYPES,
            queue=ORDER_EMAILS.name,
        ),
    ),
)
EVENT_BUSES: tuple[EventBus, ...] = (SHOPFLOOR_BUS,)

SHOP_MAIL = EmailSender(
    name="shop-mail", context_key="senderEmail", local_address="coffee@shopfloor.example.com"
)
EMAIL_SENDERS: tuple[EmailSender, ...] = (SHOP_MAIL,)
SHOP_EMAIL = ContextSetting(
    env_var="SHOP_EMAIL",
    context_key="shopEmail",
    local_value="baristas@shopfloor.example.com",
    description="The shop's address: it is e-mailed every order placed.",
)

# The shop's pages (web/), at /app/ on the API's origin.
SITE = Site(name="web", path_prefix="/app", source_dir=ROOT / "web")

PRICE_HISTORY_DAYS = 30
SYNC_INTERVAL_MINUTES = 1
IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60
# DynamoDB's item limit is 400 KB: the menu view stays below it with room for its own attributes.
MENU_VIEW_MAX_BYTES = 380_000

# Memory (memory_mb), from `make bench ARGS=--only=cost`: each function's peak resident memory (a
# fresh interpreter serving its first event: 41-61 MB) and its warm calls' durations. Lambda gives
# CPU in proportion to memory (one vCPU at 1,769 MB): a request that waits on DynamoDB costs
# GB-seconds in proportion to the memory, one that computes costs the same at any size, only slower.
# So each function has the smallest of 256/512/1024 MB that holds twice its peak and serves its most
# CPU-heavy scenario within 100 ms (an API function) or a tenth of its timeout (a batch of events).
# Not 128 MB: 1/14 of a vCPU stretches a signed-in list's 7 ms of CPU to 100 ms. The factories' SVG
# chart (pygal, about 20 ms of CPU: 70 ms at 512 MB, over 130 at 256) and Swagger UI's 1.5 MB page
# need 512 MB for that.
FUNCTIONS: tuple[Function, ...] = (
    Function(
        name="products",
        context=CATALOG_CONTEXT,
        memory_mb=256,
        description="Product catalogue: create, read, update, replace and delete products.",
        routes=_routes(
            ("GET", "/products"),
            ("POST", "/products"),
            ("GET", "/products/{id}"),
            ("PATCH", "/products/{id}"),
            ("PUT", "/products/{id}"),
            ("DELETE", "/products/{id}"),
        ),
        tables=MappingProxyType(
            {
                "products": Access.READ_WRITE,
                "ids": Access.READ_WRITE,
                "offers": Access.READ_WRITE,
                "tokens": Access.READ_WRITE,
            }
        ),
        settings=MappingProxyType({"ID_BLOCK_SIZE": str(ID_BLOCK_SIZE)}),
        # A deleted product's price history is purged by the offers worker.
        sends_to=("offers-sync",),
        secrets=("offers-refresh-token",),
        services=("offers-service",),
    ),
    Function(
        name="offers",
        context=CATALOG_CONTEXT,
        memory_mb=256,
        description="A product's cached offers, their price history and its price trend.",
        routes=_routes(
            ("GET", "/products/{id}/offers"),
            ("GET", "/products/{id}/offers/history"),
            ("GET", "/products/{id}/price-trend"),
        ),
        tables=MappingProxyType(
            {"products": Access.READ, "offers": Access.READ, "price-history": Access.READ}
        ),
    ),
    Function(
        name="offers-dispatch",
        context=CATALOG_CONTEXT,
        memory_mb=256,
        description="Every minute: one offers-sync message per product, sent in batches of 10.",
        tables=MappingProxyType({"products": Access.READ}),
        schedule_minutes=SYNC_INTERVAL_MINUTES,
        sends_to=("offers-sync",),
        timeout_seconds=60,
    ),
    Function(
        name="offers-worker",
        context=CATALOG_CONTEXT,
        memory_mb=256,
        description="Fetches products' offers from the offers service and reconciles the cache.",
        tables=MappingProxyType(
            {
                "products": Access.READ_WRITE,
                "offers": Access.READ_WRITE,
                "price-history": Access.READ_WRITE,
                "tokens": Access.READ_WRITE,
            }
        ),
        settings=MappingProxyType({"PRICE_HISTORY_DAYS": str(PRICE_HISTORY_DAYS)}),
        consumes="offers-sync",
        secrets=("offers-refresh-token",),
        services=("offers-service",),
        timeout_seconds=OFFERS_SYNC.visibility_timeout_seconds // 6,
    ),
    Function(
        name="warranties",
        context=WARRANTIES_CONTEXT,
        memory_mb=256,
        description="Warranties for items sold in stores, priced by plan; and the plans.",
        routes=_routes(
            ("GET", "/warranties"),
            ("POST", "/warranties"),
            ("GET", "/warranties/{id}"),
            ("GET", "/warranty-plans"),
        ),
        tables=MappingProxyType(
            {
                "warranties": Access.READ_WRITE,
                "stores": Access.READ_WRITE,
                "items": Access.READ_WRITE,
                "ids": Access.READ_WRITE,
                "idempotency": Access.READ_WRITE,
            }
        ),
        settings=MappingProxyType(
            {"ID_BLOCK_SIZE": str(ID_BLOCK_SIZE), "IDEMPOTENCY_TTL_SECONDS": str(IDEMPOTENCY_TTL_SECONDS)}
        ),
    ),
    Function(
        name="warranty-archiver",
        context=WARRANTIES_CONTEXT,
        memory_mb=256,
        description="Archives each new warranty's request and response to S3, from the table's stream.",
        streams_from=TableStream(table="warranties"),
        writes_to=("warranty-archive",),
        timeout_seconds=60,
    ),
    Function(
        name="factories",
        context=FACTORIES_CONTEXT,
        memory_mb=512,
        description="Factories' production chart data, by time range, and a chart of it (SVG).",
        routes=_routes(
            ("GET", "/v1/factories"),
            ("POST", "/v1/factories"),
            ("GET", "/v1/factories/{id}"),
            ("GET", "/v1/factories/{id}/chart.svg"),
        ),
        tables=MappingProxyType(
            {
                "factories": Access.READ_WRITE,
                "factory-points": Access.READ_WRITE,
                "ids": Access.READ_WRITE,
                "idempotency": Access.READ_WRITE,
            }
        ),
        settings=MappingProxyType({"ID_BLOCK_SIZE": str(ID_BLOCK_SIZE)}),
    ),
    Function(
        name="sprockets",
        context=FACTORIES_CONTEXT,
        memory_mb=256,
        description="Sprockets: create, read and replace.",
        routes=_routes(
            ("GET", "/v1/sprockets"),
            ("POST", "/v1/sprockets"),
            ("GET", "/v1/sprockets/{id}"),
            ("PUT", "/v1/sprockets/{id}"),
        ),
        tables=MappingProxyType(
            {
                "sprockets": Access.READ_WRITE,
                "ids": Access.READ_WRITE,
                "idempotency": Access.READ_WRITE,
            }
        ),
        settings=MappingProxyType({"ID_BLOCK_SIZE": str(ID_BLOCK_SIZE)}),
    ),
    Function(
        name="auth",
        context=SHOP_CONTEXT,
        memory_mb=256,
        description="Shop accounts: sign-up as a customer, sign-in (OAuth2 password grant), who am I.",
        routes=(
            *_routes(("POST", "/auth/signup"), ("POST", "/auth/token")),
            *_signed_in(("GET", "/users/me")),
        ),
        administers="shop-users",
    ),
    Function(
        name="menu",
        context=SHOP_CONTEXT,
        memory_mb=256,
        description="The shop's menu: products with variations; managers write, anyone reads.",
        routes=(
            *_routes(("GET", "/menu")),
            *_signed_in(
                ("POST", "/menu/products"),
                ("PATCH", "/menu/products/{id}"),
                ("DELETE", "/menu/products/{id}"),
                ("POST", "/menu/products/{id}/variations"),
                ("PATCH", "/menu/products/{id}/variations/{vid}"),
                ("DELETE", "/menu/products/{id}/variations/{vid}"),
            ),
        ),
        tables=MappingProxyType({"menu": Access.READ_WRITE, "ids": Access.READ_WRITE}),
        settings=MappingProxyType(
            {"ID_BLOCK_SIZE": str(ID_BLOCK_SIZE), "MENU_VIEW_MAX_BYTES": str(MENU_VIEW_MAX_BYTES)}
        ),
    ),
    Function(
        name="orders",
        context=SHOP_CONTEXT,
        memory_mb=256,
        description="The shop's orders: placed by customers, moved through their status flow by managers.",
        routes=_signed_in(
            ("POST", "/orders"),
            ("GET", "/orders"),
            ("GET", "/orders/{id}"),
            ("PATCH", "/orders/{id}/status"),
            ("POST", "/orders/{id}/cancel"),
            ("GET", "/orders/{id}/events"),
        ),
        tables=MappingProxyType(
            {
                "orders": Access.READ_WRITE,
                "menu": Access.READ,
                "ids": Access.READ_WRITE,
                "idempotency": Access.READ_WRITE,
            }
        ),
        settings=MappingProxyType(
            {"ID_BLOCK_SIZE": str(ID_BLOCK_SIZE), "IDEMPOTENCY_TTL_SECONDS": str(IDEMPOTENCY_TTL_SECONDS)}
        ),
    ),
    Function(
        name="order-events",
        context=SHOP_CONTEXT,
        memory_mb=256,
        description="Puts an event on the shopfloor bus for each order placed, moved or cancelled.",
        streams_from=TableStream(table="orders", event_names=("INSERT", "MODIFY")),
        publishes_to=SHOPFLOOR_BUS.name,
        timeout_seconds=60,
    ),
    Function(
        name="notifier",
        context=SHOP_CONTEXT,
        memory_mb=256,
        description="E-mails customers about each event of their orders, and the shop about each new one.",
        tables=MappingProxyType({"sent-emails": Access.READ_WRITE}),
        settings=MappingProxyType({"SENT_EMAILS_TTL_DAYS": str(EVENTS_ARCHIVE_DAYS)}),
        consumes=ORDER_EMAILS.name,
        sends_email_from=SHOP_MAIL.name,
        context_settings=(SHOP_EMAIL,),
        timeout_seconds=ORDER_EMAILS.visibility_timeout_seconds // 6,
    ),
    Function(
        name="health",
        context=OPERATIONS_CONTEXT,
        memory_mb=256,
        description="Liveness of the API and its database.",
        routes=_routes(("GET", "/health")),
        tables=MappingProxyType({"ids": Access.READ}),
    ),
    Function(
        name="docs",
        context=OPERATIONS_CONTEXT,
        memory_mb=512,
        description="The merged OpenAPI document of every route, and Swagger UI.",
        routes=_routes(("GET", "/openapi.json"), ("GET", "/docs")),
    ),
)

TABLES_BY_NAME: Mapping[str, Table] = MappingProxyType({table.name: table for table in TABLES})
QUEUES_BY_NAME: Mapping[str, Queue] = MappingProxyType({queue.name: queue for queue in QUEUES})
SECRETS_BY_NAME: Mapping[str, Secret] = MappingProxyType({secret.name: secret for secret in SECRETS})
SERVICES_BY_NAME: Mapping[str, Service] = MappingProxyType({service.name: service for service in SERVICES})
BUCKETS_BY_NAME: Mapping[str, Bucket] = MappingProxyType({bucket.name: bucket for bucket in BUCKETS})
USER_POOLS_BY_NAME: Mapping[str, UserPool] = MappingProxyType({pool.name: pool for pool in USER_POOLS})
EVENT_BUSES_BY_NAME: Mapping[str, EventBus] = MappingProxyType({bus.name: bus for bus in EVENT_BUSES})
EMAIL_SENDERS_BY_NAME: Mapping[str, EmailSender] = MappingProxyType(
    {sender.name: sender for sender in EMAIL_SENDERS}
)


def function_environment(
    function: Function,
    table_names: Mapping[str, str],
    *,
    queue_urls: Mapping[str, str] = MappingProxyType({}),
    secret_ids: Mapping[str, str] = MappingProxyType({}),
    service_urls: Mapping[str, str] = MappingProxyType({}),
    bucket_names: Mapping[str, str] = MappingProxyType({}),
    user_pools: Mapping[str, tuple[str, str]] = MappingProxyType({}),
    event_buses: Mapping[str, str] = MappingProxyType({}),
    email_senders: Mapping[str, str] = MappingProxyType({}),
    context_values: Mapping[str, str] = MappingProxyType({}),
) -> dict[str, str]:
    """The environment a function runs with, given the physical names of what it uses
    (`user_pools`: a pool's name -> its id and its app client's id; `event_buses`: a bus's name ->
    its physical name; `email_senders`: a sender's name -> its address; `context_values`: a
    context setting's key -> its value)."""
    environment = {
        "POWERTOOLS_SERVICE_NAME": function.name,
        "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
        # No pydantic plugin is used: skip scanning every installed package's metadata for one.
        "PYDANTIC_DISABLE_PLUGINS": "__all__",
    }
    for table_name in function.tables:
        environment[TABLES_BY_NAME[table_name].env_var] = table_names[table_name]
    for queue_name in function.sends_to:
        environment[QUEUES_BY_NAME[queue_name].env_var] = queue_urls[queue_name]
    for secret_name in function.secrets:
        environment[SECRETS_BY_NAME[secret_name].env_var] = secret_ids[secret_name]
    for service_name in function.services:
        environment[SERVICES_BY_NAME[service_name].env_var] = service_urls[service_name]
    for bucket_name in function.writes_to:
        environment[BUCKETS_BY_NAME[bucket_name].env_var] = bucket_names[bucket_name]
    if function.administers is not None:
        pool = USER_POOLS_BY_NAME[function.administers]
        pool_id, client_id = user_pools[pool.name]
        environment[pool.env_var] = pool_id
        environment[pool.client_env_var] = client_id
    if function.publishes_to is not None:
        environment[EVENT_BUSES_BY_NAME[function.publishes_to].env_var] = event_buses[function.publishes_to]
    if function.sends_email_from is not None:
        sender = EMAIL_SENDERS_BY_NAME[function.sends_email_from]
        environment[sender.env_var] = email_senders[sender.name]
    for setting in function.context_settings:
        environment[setting.env_var] = context_values[setting.context_key]
    environment.update(function.settings)
    return environment


def all_routes() -> list[tuple[Route, Function]]:
    return [(route, function) for function in FUNCTIONS for route in function.routes]


# The HTTP API's catch-all method: a route `ANY <path>` takes every method no other route of that
# path declares, and the path's owner answers it 405 with `Allow`.
ANY_METHOD = "ANY"


def path_owners(functions: Iterable[Function] = FUNCTIONS) -> dict[str, Function]:
    """Each resource path of the functions' routes (by default the API's) and the one function that
    serves every method of it, in the order declared. A path served by two functions is refused: its
    `ANY` route (a method nobody declared, answered 405 by the owner with `Allow`) could name only one
    of them."""
    owners: dict[str, Function] = {}
    for function in functions:
        for route in function.routes:
            owner = owners.setdefault(route.resource_path, function)
            if owner.name != function.name:
                raise ValueError(f"{route.resource_path} is served by both {owner.name} and {function.name}")
    return owners


def api_path_patterns() -> list[str]:
    """The CloudFront path patterns that send the API's routes to API Gateway: one per first path
    segment of the routes, in the order they are declared. `/<segment>*` when the segment is a
    resource of its own (`/products*`: `/products`, `/products/` and everything below), else
    `/<segment>/*` (`/v1/*`). Every other path belongs to the site: a route at `/`, or one whose
    pattern would match the site's paths, is refused."""
    own: dict[str, bool] = {}
    for route, function in all_routes():
        segments = route.resource_path.strip("/").split("/")
        if not segments[0]:
            raise ValueError(f"{route.method} / ({function.name}): the root path is the site's")
        own[segments[0]] = own.get(segments[0], False) or len(segments) == 1
    patterns = [f"/{segment}*" if is_resource else f"/{segment}/*" for segment, is_resource in own.items()]
    site_paths = (SITE.path_prefix, SITE.home_path, f"{SITE.home_path}{SITE.index}")
    for pattern in patterns:
        if any(fnmatchcase(path, pattern) for path in site_paths):
            raise ValueError(f"the API's path pattern {pattern} would take the site's {SITE.home_path}")
    return patterns
