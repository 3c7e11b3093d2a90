"""Loading a function's handler module the way Lambda does: by its file, with its environment."""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from infra.build import function_code_dir
from infra.topology import FUNCTIONS
from tests.helpers.events import api_event
from tests.helpers.lambda_context import FakeLambdaContext


def load_handler(function_name: str) -> ModuleType:
    """The handler of the function named `function_name` (or its folder's name: `order_events`),
    from the folder that deploys as its code (the docs function's holds the document made now)."""
    (function,) = (each for each in FUNCTIONS if function_name in (each.name, each.code_dir.name))
    module_name = f"shopfloor_function_{function_name}"
    spec = importlib.util.spec_from_file_location(module_name, function_code_dir(function) / "handler.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


class HandlerClient:
    """Calls a handler with API Gateway events and reads its answers like an HTTP client."""

    def __init__(self, module: ModuleType) -> None:
        self._module = module

    def request(self, method: str, path: str, **kwargs: Any) -> Reply:
        result = self._module.lambda_handler(api_event(method, path, **kwargs), FakeLambdaContext())
        headers = dict(result.get("headers") or {})
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers[name] = ", ".join(values)
        return Reply(result["statusCode"], headers, result.get("body") or "")

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Reply:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Reply:
        return self.request("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Reply:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Reply:
        return self.request("DELETE", path, **kwargs)
