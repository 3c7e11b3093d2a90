"""Every measure that keeps a function's cold start short, in one place (measured: `make bench`).

A handler module runs its whole init phase inside `with coldstart.init():`, imports included:

- **The garbage collector pauses during init.** A full collection over a growing heap of freshly
  imported, never garbage objects is wasted work; at the end everything init created lives as long
  as the container, so it is frozen out of the collector's sight before collection resumes
  (otherwise the first request's allocations, the botocore client and its service model, set off a
  full collection over all of it). Together about 40 ms.
- **botocore lists no services** (`called_services_loader`): before it loads a model, botocore's
  `Loader.load_service_model` lists every service it has data for (a `listdir` and a file check in
  each of some 400 folders, twice) only to check that the one asked for is among them: about 20 ms.
  The container's loader answers that check from the services it has asked for clients of.
- **One DynamoDB client for every pynamodb model** (`share_client`): pynamodb gives every model
  class a botocore session and client of its own (over 100 ms for a client from a new session).

The import rules, which the unit tests check function by function (tests/unit/test_topology.py):
- this module imports only the standard library: the pause starts before anything heavy loads;
- a context's routes import no pynamodb, botocore or requests: its `wiring` builders import them
  when the handler calls them during init (the docs function imports every route to describe it);
- event functions (queue and stream consumers) never load Powertools' HTTP resolver;
- what only one route needs (pygal for a chart, requests for registering a product) is imported by
  that route on first use.

The library internals these measures rely on are checked in tests/unit/platform/test_coldstart.py,
which fails loudly when an upgrade changes their shape.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any


@contextmanager
def init() -> Iterator[None]:
    """The container's init phase: the garbage collector pauses until its end (see above)."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


@cache
def _loader_class() -> type[Any]:
    from botocore.loaders import Loader

    class CalledServicesLoader(Loader):  # type: ignore[misc]  # botocore ships no types
        """botocore's data loader, answering "which services are there" with the services this
        container asked for: models still load from the same search paths (AWS_DATA_PATH
        included), and a service botocore has no data for still fails (DataNotFoundError)."""

        def __init__(self, extra_search_paths: list[str]) -> None:
            super().__init__(extra_search_paths=extra_search_paths)
            self.called: set[str] = set()

        def list_available_services(self, type_name: str) -> list[str]:
            return sorted(self.called)

    return CalledServicesLoader


def called_services_loader(extra_search_paths: list[str]) -> Any:
    """A loader for `session.register_component("data_loader", ...)`; add to its `called` set the
    name of each service before creating its client."""
    return _loader_class()(extra_search_paths)


def share_client(connection: Any, client: Any) -> None:
    """Make a pynamodb Connection use `client`. pynamodb creates the client on first use unless
    `_client` is set (pynamodb/connection/base.py, `Connection.client`); setting it is the only way
    in. Its one other use of the client, a `before-send` hook for `extra_headers`, is not needed."""
    connection._client = client
