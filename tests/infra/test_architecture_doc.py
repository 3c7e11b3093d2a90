"""docs/architecture.md keeps up with infra/topology.py: its diagram is the generated one, the
diagram draws everything the topology declares, and the layout table names every function."""

from __future__ import annotations

import dataclasses
import re

import pytest

from infra import topology
from infra.diagram import (
    API_ID,
    CLIENTS_ID,
    DOC,
    DRAWN_FUNCTION_FIELDS,
    DRAWN_KINDS,
    UNDRAWN_FUNCTION_FIELDS,
    UNDRAWN_KINDS,
    diagram_in,
    label,
    node_id,
    replace_diagram,
    topology_mermaid,
)
from infra.topology import BUCKETS, FUNCTIONS, QUEUES, SECRETS, SERVICES, TABLES, USER_POOLS

# `id<shape>"label"<shape>`: the node declarations diagram.py writes (every label is quoted).
NODE = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_]*)[\[\(\{>/]+"([^"]*)"[\]\)\}/\\]+\s*$')
EDGE = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_]*) -\.?->(?:\|"[^"]*"\|)? ([A-Za-z_][A-Za-z0-9_]*)\s*$')
SUBGRAPH = re.compile(r'^\s*subgraph [A-Za-z_][A-Za-z0-9_]*\["[^"]*"\]\s*$')
LAYOUT_HEADER = re.compile(r"^\|\s*function\s*\|\s*code\s*\|\s*$")


def document() -> str:
    return DOC.read_text(encoding="utf-8")


def nodes(diagram: str) -> dict[str, str]:
    """Each node id of the diagram with its label's first line."""
    found = {}
    for line in diagram.splitlines():
        match = NODE.match(line)
        if match:
            found[match.group(1)] = match.group(2).split("<br/>")[0]
    return found


def layout_table_functions(text: str) -> list[str]:
    """The names in the first column of the `| function | code |` table, without backticks."""
    lines = text.splitlines()
    header = next((i for i, line in enumerate(lines) if LAYOUT_HEADER.match(line)), None)
    assert header is not None, f"{DOC.name}: no `| function | code |` layout table"
    assert re.match(r"^\|\s*-+\s*\|\s*-+\s*\|\s*$", lines[header + 1]), (
        "the layout table has no separator row"
    )
    names = []
    for line in lines[header + 2 :]:
        if not line.startswith("|"):
            break
        names.append(line.strip("|").split("|")[0].strip().strip("`").strip())
    return names


def test_the_diagram_in_the_document_is_the_one_the_topology_draws() -> None:
    assert diagram_in(document()) == topology_mermaid(), (
        f"{DOC.relative_to(topology.ROOT)} is stale: run `make docs` to redraw its topology diagram"
    )


def test_the_diagram_is_a_flowchart_of_declared_nodes_and_edges_between_them() -> None:
    diagram = topology_mermaid()
    lines = diagram.splitlines()
    declared = nodes(diagram)

    assert lines[0] == "flowchart LR"
    for line in lines[1:]:
        assert NODE.match(line) or EDGE.match(line) or SUBGRAPH.match(line) or line.strip() == "end", line
        edge = EDGE.match(line)
        if edge:
            assert {edge.group(1), edge.group(2)} <= set(declared), line
    assert diagram == topology_mermaid(), "the same topology must give the same text"


@pytest.mark.parametrize(
    ("kind", "names"),
    [
        ("fn", [function.name for function in FUNCTIONS]),
        ("table", [table.name for table in TABLES]),
        ("queue", [queue.name for queue in QUEUES]),
        ("bucket", [bucket.name for bucket in BUCKETS]),
        ("secret", [secret.name for secret in SECRETS]),
        ("service", [service.name for service in SERVICES]),
        ("pool", [pool.name for pool in USER_POOLS]),
    ],
)
def test_the_diagram_draws_everything_the_topology_declares(kind: str, names: list[str]) -> None:
    declared = nodes(topology_mermaid())

    assert names
    for name in names:
        assert declared.get(node_id(kind, name)) == name, f"{kind} {name} is not drawn"


def test_the_diagram_draws_how_each_function_is_reached() -> None:
    diagram = topology_mermaid()

    for function in FUNCTIONS:
        target = node_id("fn", function.name)
        if function.routes:
            assert f"{API_ID} --> {target}" in diagram
        if function.consumes:
            assert re.search(rf"^\s*{node_id('queue', function.consumes)} -->.* {target}$", diagram, re.M)
        if function.streams_from:
            table = node_id("table", function.streams_from.table)
            assert re.search(rf"^\s*{table} -->.* {target}$", diagram, re.M)
        for table_name in function.tables:
            assert re.search(rf"^\s*{target} -->.* {node_id('table', table_name)}$", diagram, re.M)
        if function.administers:
            assert re.search(rf"^\s*{target} -->.* {node_id('pool', function.administers)}$", diagram, re.M)
    assert f"{CLIENTS_ID} -->" in diagram


def test_the_diagram_draws_the_authorizer_checking_tokens_against_each_pool() -> None:
    diagram = topology_mermaid()

    assert any(route.signed_in for function in FUNCTIONS for route in function.routes)
    for pool in USER_POOLS:
        assert re.search(rf"^\s*{API_ID} -\.->.* {node_id('pool', pool.name)}$", diagram, re.M)


def test_every_kind_of_resource_the_topology_declares_is_drawn() -> None:
    declared_kinds = {
        type(value[0])
        for value in vars(topology).values()
        if isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0])
    }

    assert declared_kinds <= DRAWN_KINDS | UNDRAWN_KINDS, "infra/diagram.py does not draw these kinds yet"


def test_every_field_of_a_function_is_drawn_or_left_out_on_purpose() -> None:
    fields = {field.name for field in dataclasses.fields(topology.Function)}

    assert fields == DRAWN_FUNCTION_FIELDS | UNDRAWN_FUNCTION_FIELDS, (
        "a field of topology.Function is new: draw it in infra/diagram.py, or list it as undrawn"
    )


def test_labels_are_quoted_and_escaped() -> None:
    assert label('a "b"', "#1 <x>") == '"a #quot;b#quot;<br/>#35;1 #lt;x#gt;"'
    assert node_id("fn", "offers-worker.v2") == "fn_offers_worker_v2"


def test_writing_replaces_only_the_block_between_the_markers() -> None:
    text = "# Doc\n\n<!-- topology:begin -->\n```mermaid\nold\n```\n<!-- topology:end -->\n\nafter\n"

    written = replace_diagram(text, "flowchart LR\n    a\n")

    assert written.startswith("# Doc\n\n<!-- topology:begin -->\n```mermaid\nflowchart LR\n")
    assert written.endswith("```\n<!-- topology:end -->\n\nafter\n")
    assert diagram_in(written) == "flowchart LR\n    a\n"
    assert replace_diagram(written, "flowchart LR\n    a\n") == written


def test_the_layout_table_names_every_function_and_only_functions() -> None:
    documented = layout_table_functions(document())
    functions = [function.name for function in FUNCTIONS]

    missing = [name for name in functions if name not in documented]
    assert not missing, f"{DOC.name}: add these functions to the layout table: {missing}"
    unknown = [name for name in documented if name not in functions]
    assert not unknown, f"{DOC.name}: the layout table names functions the topology does not: {unknown}"
    assert len(documented) == len(set(documented)), f"{DOC.name}: a function is listed twice"


def test_a_function_missing_from_the_layout_table_is_noticed() -> None:
    text = document()
    first = FUNCTIONS[0].name
    without = "\n".join(line for line in text.splitlines() if not line.startswith(f"| {first} |"))

    assert first in layout_table_functions(text)
    assert first not in layout_table_functions(without)
