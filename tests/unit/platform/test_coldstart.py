"""The library internals the cold-start measures rely on (shopfloor.platform.coldstart): a library
upgrade that changes their shape fails here, loudly, before it quietly costs milliseconds."""

from __future__ import annotations

import gc
import inspect
from typing import Any

import pytest
from botocore.loaders import Loader
from pynamodb.connection import Connection

from shopfloor.platform import aws, coldstart, tables


def test_init_pauses_the_collector_and_freezes_what_init_created() -> None:
    gc.unfreeze()
    with coldstart.init():
        assert not gc.isenabled()
        kept = [object() for _ in range(10)]
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0
    assert kept
    gc.unfreeze()


def test_init_resumes_collection_when_init_fails() -> None:
    with pytest.raises(RuntimeError), coldstart.init():
        raise RuntimeError("an import failed")
    assert gc.isenabled()
    gc.unfreeze()


def _cached(method: Any) -> Any:
    """The function behind botocore's `instance_cache` (which does not use functools.wraps)."""
    return inspect.getclosurevars(method).nonlocals["func"]


def test_botocore_checks_a_service_against_list_available_services() -> None:
    """What the loader replaces: `load_service_model` asks `list_available_services` (by that name,
    on the loader itself) whether the service exists."""
    source = inspect.getsource(_cached(Loader.load_service_model))
    assert "self.list_available_services(type_name)" in source
    listing = inspect.signature(_cached(Loader.list_available_services))
    assert list(listing.parameters) == ["self", "type_name"]
    assert "extra_search_paths" in inspect.signature(Loader.__init__).parameters


def test_the_session_takes_its_data_loader_as_a_component() -> None:
    aws.forget_clients()
    aws.client("dynamodb")
    session = aws.existing_session()
    assert session is not None
    loader = session.get_component("data_loader")
    assert isinstance(loader, Loader)
    assert loader.called == {"dynamodb"}
    assert loader.list_available_services("service-2") == ["dynamodb"]


def test_pynamodb_uses_the_client_set_on_its_connection() -> None:
    """pynamodb's `Connection.client` returns `_client` when set: the only way to share one."""
    assert "_client" in inspect.getsource(Connection.client.fget)  # type: ignore[attr-defined]
    connection = Connection()
    shared: Any = aws.client("dynamodb")

    tables.share_client(connection)

    assert connection.client is shared


def test_a_bound_model_talks_through_the_shared_client() -> None:
    from shopfloor.platform.ids import SequenceModel
    from tests.unit.conftest import TABLE_NAMES

    bound = tables.bind(SequenceModel, TABLE_NAMES["ids"])

    assert bound._get_connection().connection.client is aws.client("dynamodb")
