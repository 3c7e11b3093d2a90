"""The handlers serve exactly the routes infra/topology.py declares for them."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra.build import function_code_dir
from infra.topology import (
    BOUNDED_CONTEXTS,
    BUCKETS_BY_NAME,
    EMAIL_SENDERS_BY_NAME,
    EVENT_BUSES_BY_NAME,
    FACTORIES_BY_ID,
    FUNCTIONS,
    ORDERS_BY_TIME,
    PLATFORM_PACKAGE,
    QUEUES_BY_NAME,
    SECRETS_BY_NAME,
    SERVICES_BY_NAME,
    SHARED_LAYER_DIR,
    SHARED_PACKAGE,
    TABLES_BY_NAME,
    USER_POOLS_BY_NAME,
    BoundedContext,
    Function,
    function_environment,
)
from tests.helpers.handlers import HandlerClient, load_handler

LAYER = SHARED_LAYER_DIR / "python"
FUNCTIONS_BY_NAME = {function.name: function for function in FUNCTIONS}
API_FUNCTIONS = [function for function in FUNCTIONS if function.routes and function.name != "docs"]
CONTEXT_SETTINGS = {setting for function in FUNCTIONS for setting in function.context_settings}


def documented_routes(schema: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, operations in schema["paths"].items() for method in operations}


@pytest.mark.parametrize("function", API_FUNCTIONS, ids=lambda function: function.name)
def test_a_function_serves_the_routes_the_topology_gives_it(function: Function) -> None:
    schema = load_handler(function.name).app.get_openapi_schema().model_dump(by_alias=True, exclude_none=True)

    assert documented_routes(schema) == {(route.method, route.path) for route in function.routes}


def test_every_route_belongs_to_exactly_one_function() -> None:
    owners = [(route.method, route.path) for function in FUNCTIONS for route in function.routes]

    assert len(owners) == len(set(owners))


def test_the_openapi_document_merges_every_route_of_the_api() -> None:
    docs = HandlerClient(load_handler("docs"))

    reply = docs.get("/openapi.json")

    assert reply.status == 200
    document = reply.json()
    assert document["openapi"].startswith("3.")
    assert document["servers"] == [{"url": "https://api.example.com"}]
    expected = {(route.method, route.path) for function in API_FUNCTIONS for route in function.routes}
    assert documented_routes(document) == expected


def test_swagger_ui_is_served_with_its_assets_inline() -> None:
    docs = HandlerClient(load_handler("docs"))

    reply = docs.get("/docs")

    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/html")
    assert "SwaggerUIBundle" in reply.body
    assert "<script src=" not in reply.body
    assert "<link rel='stylesheet'" not in reply.body
    assert "<style>" in reply.body


# What a function's cold start must not pay for: it never uses these (make bench measures the rest).
# The event functions never load Powertools' HTTP resolver (its package also loads asyncio).
SHOP_EVENT_FUNCTIONS_UNUSED = {
    "requests",
    "boto3",
    "pynamodb",
    "pygal",
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.utilities.batch",
}
NOT_LOADED = {
    # The docs function serves the document built into its code: it loads no route of the API.
    "docs": {"pynamodb", "botocore.session", "requests", "pygal", "shopfloor.shop", "shopfloor.warranties"},
    "products": {"requests", "boto3"},
    "offers": {"requests", "boto3"},
    "offers-dispatch": {
        "requests",
        "boto3",
        "aws_lambda_powertools.utilities.batch",
        "aws_lambda_powertools.event_handler",
    },
    "health": {"requests", "boto3"},
    "offers-worker": {
        "boto3",
        "aws_lambda_powertools.utilities.batch",
        "aws_lambda_powertools.event_handler",
    },
    "warranties": {"requests", "boto3", "aws_lambda_powertools.utilities.idempotency"},
    "warranty-archiver": {
        "requests",
        "boto3",
        "pynamodb",
        "aws_lambda_powertools.event_handler",
        "aws_lambda_powertools.utilities.batch",
    },
    "auth": {"requests", "boto3", "pynamodb", "pygal"},
    "menu": {"requests", "boto3", "pygal", "aws_lambda_powertools.utilities.idempotency"},
    "orders": {"requests", "boto3", "pygal", "aws_lambda_powertools.utilities.idempotency"},
    # The notifier writes its claims with botocore's DynamoDB client, as the archiver writes to S3.
    "order-events": SHOP_EVENT_FUNCTIONS_UNUSED,
    "notifier": SHOP_EVENT_FUNCTIONS_UNUSED,
    # pygal is the chart route's alone: loaded by the first chart request, not during init.
    "factories": {"requests", "boto3", "pygal"},
    "sprockets": {"requests", "boto3", "pygal"},
}


def test_every_function_says_what_it_must_not_load() -> None:
    assert set(NOT_LOADED) == set(FUNCTIONS_BY_NAME)


@pytest.mark.parametrize("function_name", sorted(NOT_LOADED))
def test_a_function_does_not_load_what_it_never_uses(function_name: str) -> None:
    function = FUNCTIONS_BY_NAME[function_name]
    names = {table: f"cold-{table}" for table in TABLES_BY_NAME}
    environment = {
        **function_environment(
            function,
            names,
            queue_urls=dict.fromkeys(QUEUES_BY_NAME, "http://127.0.0.1:9/queue"),
            secret_ids={name: name for name in SECRETS_BY_NAME},
            service_urls=dict.fromkeys(SERVICES_BY_NAME, "http://127.0.0.1:9"),
            bucket_names={name: f"cold-{name}" for name in BUCKETS_BY_NAME},
            user_pools=dict.fromkeys(USER_POOLS_BY_NAME, ("us-east-1_cold", "cold-client")),
            event_buses={name: f"cold-{name}" for name in EVENT_BUSES_BY_NAME},
            email_senders=dict.fromkeys(EMAIL_SENDERS_BY_NAME, "cold@example.com"),
            context_values={setting.context_key: "cold@example.com" for setting in CONTEXT_SETTINGS},
        ),
        "PATH": os.environ["PATH"],
        "AWS_DEFAULT_REGION": "us-east-1",
        "PYTHONPATH": f"{function_code_dir(function)}{os.pathsep}{LAYER}",
    }
    unwanted = sorted(NOT_LOADED[function_name])
    code = f"import sys, handler; print(sorted(set({unwanted!r}) & set(sys.modules)))"

    loaded = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    ).stdout.splitlines()[-1]

    assert loaded == "[]"


def test_each_index_of_every_item_is_the_value_its_model_writes() -> None:
    from shopfloor.factories.models import LISTING as FACTORIES_LISTING
    from shopfloor.factories.models import FactoryModel
    from shopfloor.shop.orders.models import LISTING as ORDERS_LISTING
    from shopfloor.shop.orders.models import OrderModel

    assert (FACTORIES_BY_ID.every_item, ORDERS_BY_TIME.every_item) == (FACTORIES_LISTING, ORDERS_LISTING)
    for model, index in ((FactoryModel, FACTORIES_BY_ID), (OrderModel, ORDERS_BY_TIME)):
        assert model._attributes[index.partition_key.name].default == index.every_item


def module_file(module: str) -> Path | None:
    """The file of a module of the shared code, or None for a name that is no module (a class)."""
    path = LAYER.joinpath(*module.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def shared_code_imports(file: Path) -> set[str]:
    """The modules of the shared code that `file` imports anywhere (at the top, in a function, or
    only for the type checker): what would have to be on the function's layers."""
    imported: set[str] = set()
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module)
            imported.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {
        module
        for module in imported
        if module.split(".")[0] == SHARED_PACKAGE and module_file(module) is not None
    }


def reached_from(file: Path) -> set[str]:
    """Every module of the shared code that `file` imports, and those import, and so on."""
    reached: set[str] = set()
    pending = shared_code_imports(file)
    while pending:
        module = pending.pop()
        reached.add(module)
        pending |= shared_code_imports(module_file(module)) - reached  # type: ignore[arg-type]
    return reached


def package_of(module: str) -> str | None:
    """`shopfloor.catalog.sync.worker` -> `catalog`; the package `shopfloor` itself -> None."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def foreign(modules: set[str], context: BoundedContext) -> list[str]:
    allowed = {None, PLATFORM_PACKAGE, *context.packages}
    return sorted(module for module in modules if package_of(module) not in allowed)


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda function: function.name)
def test_a_function_imports_only_the_platform_and_its_own_contexts_code(function: Function) -> None:
    reached = reached_from(function.code_dir / "handler.py")  # the source, not a build's copy

    assert reached, "the handler imports no shared code: is this the handler?"
    assert foreign(reached, function.context) == []


@pytest.mark.parametrize("context", BOUNDED_CONTEXTS, ids=lambda context: context.name)
def test_a_contexts_code_imports_only_the_platform_and_itself(context: BoundedContext) -> None:
    files = [
        file for package in context.packages for file in (LAYER / SHARED_PACKAGE / package).rglob("*.py")
    ]

    imported = {module for file in files for module in shared_code_imports(file)}

    assert files
    assert foreign(imported, context) == []


def test_the_platform_imports_no_context() -> None:
    files = list((LAYER / SHARED_PACKAGE / PLATFORM_PACKAGE).rglob("*.py"))

    imported = {module for file in files for module in shared_code_imports(file)}

    assert {package_of(module) for module in imported} <= {None, PLATFORM_PACKAGE}


def test_every_package_of_the_shared_code_is_the_platform_or_one_contexts() -> None:
    packages = [package for context in BOUNDED_CONTEXTS for package in context.packages]

    on_disk = {path.name for path in (LAYER / SHARED_PACKAGE).iterdir() if (path / "__init__.py").is_file()}

    assert len(packages) == len(set(packages))
    assert on_disk == {PLATFORM_PACKAGE, *packages}
