"""One Idempotency-Key mechanism (shopfloor.platform.idempotency), on the real repositories in moto."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import boto3
import pytest
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from shopfloor.factories.points import Points
from shopfloor.factories.schemas import ChartData, FactoryIn
from shopfloor.factories.service import FactoryService
from shopfloor.factories.wiring import factory_service
from shopfloor.platform.idempotency import IdempotentRequest, KeyReusedError, idempotent_request
from shopfloor.platform.idempotency_records import IdempotencyRecordModel, IdempotencyRecords
from shopfloor.platform.tables import bind, shared_connection
from shopfloor.sprockets.schemas import Sprocket, SprocketIn
from shopfloor.sprockets.wiring import sprocket_service
from tests.unit.conftest import TABLE_NAMES

CHART = ChartData(sprocket_production_actual=[1, 2], sprocket_production_goal=[3, 4], time=[60, 120])
SPROCKET = SprocketIn(teeth=5, pitch_diameter=5, outside_diameter=6, pitch=1)
REQUEST = IdempotentRequest("POST /things", "k", "fingerprint", ttl=timedelta(hours=1))


@pytest.fixture(autouse=True)
def _fresh_services(aws: None) -> None:
    factory_service.cache_clear()
    sprocket_service.cache_clear()


def items(table: str) -> int:
    return int(boto3.client("dynamodb").scan(TableName=TABLE_NAMES[table], Select="COUNT")["Count"])


def records(now: float) -> IdempotencyRecords:
    return IdempotencyRecords(bind(IdempotencyRecordModel, TABLE_NAMES["idempotency"]), now=lambda: now)


def record(store: IdempotencyRecords, request: IdempotentRequest, resource_id: int) -> None:
    with TransactWrite(connection=shared_connection()) as transaction:
        store.add_to(transaction, request, resource_id, body=f'{{"id": {resource_id}}}')


class LateRecords:
    """The factory repository, as if a concurrent request recorded the key just after it looked."""

    def __init__(self, repository: object) -> None:
        self._repository = repository

    def recorded(self, idempotency: IdempotentRequest) -> int | None:
        return None

    def __getattr__(self, name: str) -> object:
        return getattr(self._repository, name)


def test_a_factory_that_loses_the_race_for_its_key_stores_nothing_and_answers_the_winner() -> None:
    real = factory_service()
    winner = real.create(FactoryIn(chart_data=CHART), "same-key")
    late = FactoryService(LateRecords(real._repository), real._next_id)  # type: ignore[arg-type]

    loser = late.create(FactoryIn(chart_data=CHART), "same-key")

    assert loser.replayed
    assert loser.resource == winner.resource
    assert (items("factories"), items("factory-points"), items("idempotency")) == (1, 1, 1)


def test_a_sprocket_replay_answers_the_first_sprocket_and_stores_nothing() -> None:
    service = sprocket_service()
    first = service.create(SPROCKET, "same-key")

    again = service.create(SPROCKET, "same-key")

    assert (first.replayed, again.replayed) == (False, True)
    assert again.resource == first.resource
    assert items("sprockets") == 1


def test_the_key_of_another_request_is_refused_with_nothing_stored() -> None:
    service = sprocket_service()
    service.create(SPROCKET, "same-key")

    with pytest.raises(KeyReusedError):
        service.create(SPROCKET.model_copy(update={"teeth": 6}), "same-key")

    assert items("sprockets") == 1


def test_keys_are_scoped_to_their_route_and_caller() -> None:
    scopes = {
        idempotent_request("POST /a", "k", SPROCKET, None).scope,  # type: ignore[union-attr]
        idempotent_request("POST /b", "k", SPROCKET, None).scope,  # type: ignore[union-attr]
        idempotent_request("POST /a", "k", SPROCKET, None, caller="ann").scope,  # type: ignore[union-attr]
    }
    assert len(scopes) == 3
    assert idempotent_request("POST /a", None, SPROCKET, None) is None


def test_a_record_is_found_until_it_expires() -> None:
    record(records(now=1_000), REQUEST, 1)

    found = records(now=1_000 + 3_599).find(REQUEST)

    assert found is not None
    assert found.resource_id == 1
    assert records(now=1_000 + 3_601).find(REQUEST) is None


def test_an_expired_record_gives_its_key_to_a_new_request() -> None:
    record(records(now=1_000), REQUEST, 1)

    record(records(now=1_000 + 3_601), REQUEST, 2)

    found = records(now=1_000 + 3_602).find(REQUEST)
    assert found is not None
    assert found.resource_id == 2


def test_a_live_record_is_not_overwritten_and_comes_back_with_the_cancellation() -> None:
    record(records(now=1_000), REQUEST, 1)
    store = records(now=1_000 + 10)

    with pytest.raises(TransactWriteError) as cancelled:
        record(store, REQUEST, 2)

    taken = store.taken(cancelled.value, REQUEST)
    assert taken is not None
    assert (taken.resource_id, taken.body) == (1, '{"id": 1}')


def test_a_sprocket_id_is_never_stored_twice() -> None:
    repository = sprocket_service()._repository
    repository.add(Sprocket(id=7, **SPROCKET.model_dump()), None)

    with pytest.raises(PutError, match="ConditionalCheckFailed"):
        repository.add(Sprocket(id=7, **SPROCKET.model_dump()), None)


def test_factory_points_are_not_written_again_by_a_replay() -> None:
    service = factory_service()
    service.create(FactoryIn(chart_data=CHART), "seed-1")
    repository = service._repository
    writes: list[object] = []
    original = repository.add

    def add(*args: Any) -> int | None:
        writes.append(args)
        return original(*args)

    repository.add = add  # type: ignore[method-assign,assignment]

    again = service.create(FactoryIn(chart_data=CHART), "seed-1")

    assert again.replayed
    assert writes == []
    assert repository.get(again.resource.id) is not None
    assert Points([60, 120], [1, 2], [3, 4]) == again.resource.points
