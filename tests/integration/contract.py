"""The offers service's contract (../shared/contracts/offers-service.openapi.json), read at test time,
and a small structural check of a response against it (type, required, properties, items, anyOf,
format uuid, $ref): enough for the schemas the contract uses, without jsonschema."""

from __future__ import annotations

import json
import uuid
from functools import cache
from typing import Any

import pytest
import requests

from infra.topology import ROOT

CONTRACT = ROOT.parent / "shared" / "contracts" / "offers-service.openapi.json"
_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}


@cache
def _load() -> dict[str, Any] | None:
    if not CONTRACT.exists():
        return None
    document: dict[str, Any] = json.loads(CONTRACT.read_text())
    return document


def contract() -> dict[str, Any]:
    document = _load()
    if document is None:
        pytest.skip(f"the contract is not here: {CONTRACT}")
    return document


def operation(method: str, path: str) -> dict[str, Any]:
    found: dict[str, Any] = contract()["paths"][path][method.lower()]
    return found


def check_response(method: str, path: str, response: requests.Response) -> None:
    """The status is one the contract lists for the operation, and a documented body matches it."""
    responses = operation(method, path)["responses"]
    status = str(response.status_code)
    assert status in responses, f"{method} {path}: {status} is not in the contract ({sorted(responses)})"
    schema = responses[status].get("content", {}).get("application/json", {}).get("schema")
    if schema is not None:
        assert response.headers["Content-Type"].startswith("application/json")
        problems = violations(response.json(), schema)
        assert not problems, f"{method} {path} {status}: {problems}"


def violations(value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    """What is wrong with `value` against `schema` (empty when it conforms)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return violations(value, contract()["components"]["schemas"][name], where)
    if "anyOf" in schema:
        options = [violations(value, option, where) for option in schema["anyOf"]]
        return [] if any(not option for option in options) else [f"{where}: matches none of anyOf"]
    expected = schema.get("type")
    wrong_type = expected is not None and (
        not isinstance(value, _TYPES[expected]) or (expected != "boolean" and isinstance(value, bool))
    )
    if wrong_type:
        return [f"{where}: {value!r} is not {expected}"]
    problems: list[str] = []
    if schema.get("format") == "uuid" and isinstance(value, str):
        try:
            uuid.UUID(value)
        except ValueError:
            problems.append(f"{where}: {value!r} is not a uuid")
    if isinstance(value, dict):
        problems += [
            f"{where}: {name} is missing" for name in schema.get("required", []) if name not in value
        ]
        for name, subschema in schema.get("properties", {}).items():
            if name in value:
                problems += violations(value[name], subschema, f"{where}.{name}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            problems += violations(item, schema["items"], f"{where}[{index}]")
    return problems


def check_against(schema_name: str, value: Any) -> list[str]:
    return violations(value, {"$ref": f"#/components/schemas/{schema_name}"})
