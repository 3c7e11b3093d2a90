"""The one declaration of Shopfloor's functions, routes and tables.

The CDK stack and the local cloud both read this module: what runs locally is what deploys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from pathlib import Path
from types import MappingProxyType

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = ROOT / "functions"
SHARED_LAYER_DIR = ROOT / "layers" / "shopfloor"

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


@dataclass(frozen=True)
class Key:
    name: str
    type: KeyType


@dataclass(frozen=True)
class Table:
    """A DynamoDB table: on demand, point-in-time recovery, reached by key."""

    name: str
    partition_key: Key
    sort_key: Key | None = None
    ttl_attribute: str | None = None

    @property
    def env_var(self) -> str:
        return f"{self.name.upper()}_TABLE_NAME"


@dataclass(frozen=True)
class Route:
    method: str
    path: str

    @property
    def resource_path(self) -> str:
        """The path with a trailing slash removed, as API Gateway and Powertools match it."""
        return self.path.rstrip("/") or "/"


@dataclass(frozen=True)
class Function:
    """One Lambda function: its code is functions/<name>, its handler HANDLER."""

    name: str
    description: str
    routes: tuple[Route, ...] = ()
    tables: Mapping[str, Access] = field(default_factory=lambda: MappingProxyType({}))
    settings: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    memory_mb: int = 1024
    timeout_seconds: int = 10

    @property
    def code_dir(self) -> Path:
        return FUNCTIONS_DIR / self.name


def _routes(*pairs: tuple[str, str]) -> tuple[Route, ...]:
    return tuple(Route(method, path) for method, path in pairs)


IDS = Table(name="ids", partition_key=Key("sequence", KeyType.STRING))
PRODUCTS = Table(name="products", partition_key=Key("id", KeyType.NUMBER))

TABLES: tuple[Table, ...] = (IDS, PRODUCTS)

FUNCTIONS: tuple[Function, ...] = (
    Function(
        name="products",
        description="Product catalogue: create, read, update, replace and delete products.",
        routes=_routes(
            ("GET", "/products"),
            ("POST", "/products"),
            ("GET", "/products/{id}"),
            ("PATCH", "/products/{id}"),
            ("PUT", "/products/{id}"),
            ("DELETE", "/products/{id}"),
        ),
        tables=MappingProxyType({"products": Access.READ_WRITE, "ids": Access.READ_WRITE}),
        settings=MappingProxyType({"ID_BLOCK_SIZE": str(ID_BLOCK_SIZE)}),
    ),
    Function(
        name="health",
        description="Liveness of the API and its database.",
        routes=_routes(("GET", "/health")),
        tables=MappingProxyType({"ids": Access.READ}),
    ),
    Function(
        name="docs",
        description="The merged OpenAPI document of every route, and Swagger UI.",
        routes=_routes(("GET", "/openapi.json"), ("GET", "/docs")),
    ),
)

TABLES_BY_NAME: Mapping[str, Table] = MappingProxyType({table.name: table for table in TABLES})


def function_environment(function: Function, table_names: Mapping[str, str]) -> dict[str, str]:
    """The environment a function runs with, given the physical name of each table."""
    environment = {
        "POWERTOOLS_SERVICE_NAME": function.name,
        "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
        # No pydantic plugin is used: skip scanning every installed package's metadata for one.
        "PYDANTIC_DISABLE_PLUGINS": "__all__",
    }
    for table_name in function.tables:
        environment[TABLES_BY_NAME[table_name].env_var] = table_names[table_name]
    environment.update(function.settings)
    return environment


def all_routes() -> list[tuple[Route, Function]]:
    return [(route, function) for function in FUNCTIONS for route in function.routes]
