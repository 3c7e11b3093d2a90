"""The topology diagram: a Mermaid flowchart drawn from `infra.topology` alone.

    python -m infra.diagram            # print it
    python -m infra.diagram --write    # `make docs`: put it in docs/architecture.md, between the markers

Nothing here names a function, table or queue: add one to the topology and it is drawn. Node ids
are the resource's kind and its name with every character that is not a letter or digit as `_`;
labels are quoted. The order is the topology's, so the same topology gives the same text.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import TypeVar

from infra.topology import (
    BUCKETS,
    BUCKETS_BY_NAME,
    EMAIL_SENDERS,
    EMAIL_SENDERS_BY_NAME,
    EVENT_BUSES,
    EVENT_BUSES_BY_NAME,
    FUNCTIONS,
    QUEUES,
    QUEUES_BY_NAME,
    ROOT,
    SECRETS,
    SECRETS_BY_NAME,
    SERVICES,
    SERVICES_BY_NAME,
    SITE,
    TABLES,
    TABLES_BY_NAME,
    USER_POOLS,
    USER_POOLS_BY_NAME,
    Access,
    BoundedContext,
    Bucket,
    EmailSender,
    EventBus,
    Function,
    Queue,
    Secret,
    Service,
    Site,
    Table,
    UserPool,
)

DOC = ROOT / "docs" / "architecture.md"
BEGIN_MARKER = "<!-- topology:begin -->"
END_MARKER = "<!-- topology:end -->"
_FENCE_OPEN = "```mermaid\n"
_FENCE_CLOSE = "```\n"

# The kinds of resource the diagram draws. A new kind declared in the topology (an event bus, say)
# must be drawn here too: tests/infra/test_architecture_doc.py fails until it is.
DRAWN_KINDS: frozenset[type] = frozenset(
    {Function, Table, Queue, Bucket, Secret, Service, UserPool, EventBus, EmailSender, Site}
)
# Declared in the topology but no resource: a bounded context says how functions' code is packaged.
UNDRAWN_KINDS: frozenset[type] = frozenset({BoundedContext})
# What the diagram shows of a function, and what it leaves out on purpose. A field added to
# topology.Function must go in one of the two (the same test checks).
DRAWN_FUNCTION_FIELDS = frozenset(
    {
        "name",
        "routes",
        "tables",
        "schedule_minutes",
        "consumes",
        "sends_to",
        "secrets",
        "services",
        "streams_from",
        "writes_to",
        "administers",
        "publishes_to",
        "sends_email_from",
    }
)
# Context settings are values, like settings (an e-mail address): nothing to draw an edge to; the
# bounded context says which code layer the function runs with.
UNDRAWN_FUNCTION_FIELDS = frozenset(
    {"description", "context", "settings", "memory_mb", "timeout_seconds", "context_settings"}
)

_UNSAFE = re.compile(r"[^0-9A-Za-z]")
# Characters that would end or confuse a quoted Mermaid label, as Mermaid's entity codes.
_ESCAPES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;"}
_ACCESS_LABELS = {Access.READ: "read", Access.READ_WRITE: "read/write"}
_INDENT = "    "
_T = TypeVar("_T")

CLIENTS_ID = "clients"
API_ID = "api"
CDN_ID = "cdn"


def node_id(kind: str, name: str) -> str:
    """The Mermaid id of a resource: `fn_offers_worker`, `table_price_history`, `queue_offers_sync`."""
    return f"{kind}_{_UNSAFE.sub('_', name)}"


def label(*lines: str) -> str:
    """A quoted Mermaid label of one or more lines."""
    escaped = ("".join(_ESCAPES.get(character, character) for character in line) for line in lines)
    return '"' + "<br/>".join(escaped) + '"'


def rate_expression(minutes: int) -> str:
    """The EventBridge schedule expression of a rule every `minutes` minutes."""
    return f"rate({minutes} minute{'' if minutes == 1 else 's'})"


def topology_mermaid() -> str:
    """The topology as a Mermaid `flowchart LR`, ending with a newline."""
    ids = _Ids()
    lines = ["flowchart LR"]
    lines.extend(_entry_nodes(ids))
    lines.extend(_function_nodes(ids))
    lines.extend(
        _subgraph(
            "dynamodb",
            "DynamoDB: on demand, PITR",
            (f"{ids.add('table', table.name)}[({_table_label(table)})]" for table in TABLES),
        )
    )
    lines.extend(
        _subgraph(
            "sqs",
            "SQS",
            (f"{ids.add('queue', queue.name)}[[{label(queue.name, '+ DLQ')}]]" for queue in QUEUES),
        )
    )
    lines.extend(
        _subgraph(
            "eventbridge",
            "EventBridge",
            (f"{ids.add('bus', bus.name)}{{{{{_bus_label(bus)}}}}}" for bus in EVENT_BUSES),
        )
    )
    lines.extend(
        _subgraph(
            "ses",
            "SES",
            (f"{ids.add('sender', sender.name)}([{_sender_label(sender)}])" for sender in EMAIL_SENDERS),
        )
    )
    site_label = label(f"{SITE.name} pages", f"{SITE.source_dir.name}/ under {SITE.key_prefix}")
    site_bucket = f"{ids.add('site', SITE.name)}[/{site_label}\\]"
    lines.extend(
        _subgraph(
            "s3",
            "S3",
            [
                *(f"{ids.add('bucket', bucket.name)}[/{label(bucket.name)}\\]" for bucket in BUCKETS),
                site_bucket,
            ],
        )
    )
    lines.extend(
        _subgraph(
            "secrets_manager",
            "Secrets Manager",
            (f"{ids.add('secret', secret.name)}>{label(secret.name)}]" for secret in SECRETS),
        )
    )
    lines.extend(
        _subgraph(
            "cognito",
            "Cognito",
            (f"{ids.add('pool', pool.name)}[{_pool_label(pool)}]" for pool in USER_POOLS),
        )
    )
    lines.extend(
        _subgraph(
            "outside",
            "outside Shopfloor",
            (f"{ids.add('service', service.name)}(({label(service.name)}))" for service in SERVICES),
        )
    )
    if any(function.routes for function in FUNCTIONS):
        # The pages and the API on one origin (CloudFront); the API also answers at its own URL.
        lines.append(f"{_INDENT}{CLIENTS_ID} -->|{label('HTTPS')}| {CDN_ID}")
        lines.append(f"{_INDENT}{CDN_ID} -->|{label(SITE.path_prefix + '/*')}| {node_id('site', SITE.name)}")
        lines.append(f"{_INDENT}{CDN_ID} -->|{label('API paths')}| {API_ID}")
        lines.append(f"{_INDENT}{CLIENTS_ID} -->|{label('HTTPS')}| {API_ID}")
    if any(route.signed_in for function in FUNCTIONS for route in function.routes):
        # The authorizer checks the tokens of every user pool on the signed-in routes.
        lines.extend(
            f"{_INDENT}{API_ID} -.->|{label('verify tokens')}| {node_id('pool', pool.name)}"
            for pool in USER_POOLS
        )
    for bus in EVENT_BUSES:
        lines.extend(f"{_INDENT}{edge}" for edge in _rule_edges(bus))
    for function in FUNCTIONS:
        lines.extend(f"{_INDENT}{edge}" for edge in _edges(function))
    return "\n".join(lines) + "\n"


class _Ids:
    """Hands out node ids, refusing two resources that would share one."""

    def __init__(self) -> None:
        self._names: dict[str, tuple[str, str]] = {}

    def add(self, kind: str, name: str) -> str:
        identifier = node_id(kind, name)
        other = self._names.setdefault(identifier, (kind, name))
        if other != (kind, name):
            raise ValueError(f"{kind} {name!r} and {other[0]} {other[1]!r} share the Mermaid id {identifier}")
        return identifier


def _entry_nodes(ids: _Ids) -> Iterator[str]:
    if any(function.routes for function in FUNCTIONS):
        yield f"{_INDENT}{CLIENTS_ID}([{label('clients')}])"
        yield f"{_INDENT}{CDN_ID}{{{{{label('CloudFront', 'pages and API, one origin')}}}}}"
        yield f"{_INDENT}{API_ID}{{{{{label('API Gateway', 'HTTP API')}}}}}"
    for minutes in _schedules():
        schedule = ids.add("schedule", f"every {minutes} min")
        yield f"{_INDENT}{schedule}[/{label('EventBridge schedule', rate_expression(minutes))}/]"


def _function_nodes(ids: _Ids) -> Iterator[str]:
    for function in FUNCTIONS:
        paths = dict.fromkeys(route.resource_path for route in function.routes)
        yield f"{_INDENT}{ids.add('fn', function.name)}({label(function.name, *paths)})"


def _pool_label(pool: UserPool) -> str:
    return label(pool.name, f"groups {', '.join(pool.groups)}")


def _bus_label(bus: EventBus) -> str:
    return label(bus.name, f"+ archive {bus.archive_retention_days} days")


def _sender_label(sender: EmailSender) -> str:
    return label(sender.name, f"context {sender.context_key}")


def _rule_edges(bus: EventBus) -> Iterator[str]:
    """Each rule of a bus, to its queue; the rule's dead-letter queue is the `+ DLQ`."""
    for rule in bus.rules:
        if rule.queue not in QUEUES_BY_NAME:
            raise ValueError(
                f"rule {rule.name} of bus {bus.name} sends to queue {rule.queue!r}, which the "
                "topology does not declare"
            )
        yield (
            f"{node_id('bus', bus.name)} -->|{label(f'rule {rule.name}', '+ DLQ')}| "
            f"{node_id('queue', rule.queue)}"
        )


def _table_label(table: Table) -> str:
    return label(table.name, *(f"index {index.name}" for index in table.indexes))


def _subgraph(identifier: str, title: str, nodes: Iterable[str]) -> list[str]:
    body = [f"{_INDENT * 2}{node}" for node in nodes]
    if not body:
        return []
    return [f"{_INDENT}subgraph {identifier}[{label(title)}]", *body, f"{_INDENT}end"]


def _schedules() -> list[int]:
    return sorted({function.schedule_minutes for function in FUNCTIONS if function.schedule_minutes})


def _edges(function: Function) -> Iterator[str]:
    """What starts a function, then what it reaches."""
    target = node_id("fn", function.name)
    if function.routes:
        yield f"{API_ID} --> {target}"
    if function.schedule_minutes:
        schedule = node_id("schedule", f"every {function.schedule_minutes} min")
        yield f"{schedule} -->|{label('+ DLQ')}| {target}"
    if function.consumes is not None:
        queue = _known(QUEUES_BY_NAME, function.consumes, "queue", function)
        yield f"{node_id('queue', queue.name)} -->|{label(f'batch {queue.batch_size}')}| {target}"
    if function.streams_from is not None:
        stream = function.streams_from
        table = _known(TABLES_BY_NAME, stream.table, "table", function)
        events = ", ".join(stream.event_names)
        yield f"{node_id('table', table.name)} -->|{label(f'stream {events}', '+ DLQ')}| {target}"
    table_order = {table.name: position for position, table in enumerate(TABLES)}
    for table_name in sorted(function.tables, key=lambda name: table_order.get(name, len(table_order))):
        _known(TABLES_BY_NAME, table_name, "table", function)
        access = _ACCESS_LABELS[function.tables[table_name]]
        yield f"{target} -->|{label(access)}| {node_id('table', table_name)}"
    for queue_name in function.sends_to:
        _known(QUEUES_BY_NAME, queue_name, "queue", function)
        yield f"{target} -->|{label('send')}| {node_id('queue', queue_name)}"
    for bucket_name in function.writes_to:
        _known(BUCKETS_BY_NAME, bucket_name, "bucket", function)
        yield f"{target} -->|{label('write')}| {node_id('bucket', bucket_name)}"
    for secret_name in function.secrets:
        _known(SECRETS_BY_NAME, secret_name, "secret", function)
        yield f"{target} -.->|{label('read')}| {node_id('secret', secret_name)}"
    for service_name in function.services:
        _known(SERVICES_BY_NAME, service_name, "service", function)
        yield f"{target} -->|{label('HTTPS')}| {node_id('service', service_name)}"
    if function.administers is not None:
        _known(USER_POOLS_BY_NAME, function.administers, "user pool", function)
        yield f"{target} -->|{label('administer')}| {node_id('pool', function.administers)}"
    if function.publishes_to is not None:
        _known(EVENT_BUSES_BY_NAME, function.publishes_to, "event bus", function)
        yield f"{target} -->|{label('put events')}| {node_id('bus', function.publishes_to)}"
    if function.sends_email_from is not None:
        _known(EMAIL_SENDERS_BY_NAME, function.sends_email_from, "e-mail sender", function)
        yield f"{target} -->|{label('send e-mail')}| {node_id('sender', function.sends_email_from)}"


def _known(declared: Mapping[str, _T], name: str, kind: str, function: Function) -> _T:
    if name not in declared:
        raise ValueError(
            f"function {function.name} uses {kind} {name!r}, which the topology does not declare"
        )
    return declared[name]


def replace_diagram(document: str, diagram: str) -> str:
    """The document with the block between the markers replaced by `diagram` in a mermaid fence."""
    before, rest = _split(document, BEGIN_MARKER)
    _, after = _split(rest, END_MARKER)
    return f"{before}{BEGIN_MARKER}\n{_FENCE_OPEN}{diagram}{_FENCE_CLOSE}{END_MARKER}{after}"


def diagram_in(document: str) -> str:
    """The diagram between the markers of the document, without its fence."""
    _, rest = _split(document, BEGIN_MARKER)
    block, _ = _split(rest, END_MARKER)
    block = block.strip("\n") + "\n"
    if not (block.startswith(_FENCE_OPEN) and block.endswith(_FENCE_CLOSE)):
        raise ValueError(f"the block between {BEGIN_MARKER} and {END_MARKER} is not a mermaid fenced block")
    return block.removeprefix(_FENCE_OPEN).removesuffix(_FENCE_CLOSE)


def _split(text: str, marker: str) -> tuple[str, str]:
    before, found, after = text.partition(marker)
    if not found:
        raise ValueError(f"{DOC.relative_to(ROOT)}: no {marker} marker")
    return before, after


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m infra.diagram", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--write",
        action="store_true",
        help=f"rewrite the diagram in {DOC.relative_to(ROOT)} between {BEGIN_MARKER} and {END_MARKER}",
    )
    arguments = parser.parse_args(argv)
    diagram = topology_mermaid()
    if not arguments.write:
        print(diagram, end="")
        return
    document = DOC.read_text(encoding="utf-8")
    updated = replace_diagram(document, diagram)
    if updated == document:
        print(f"{DOC.relative_to(ROOT)}: the diagram is up to date")
        return
    DOC.write_text(updated, encoding="utf-8")
    print(f"{DOC.relative_to(ROOT)}: diagram rewritten")


if __name__ == "__main__":
    main()
