"""Two requests with one Idempotency-Key at once: exactly one creates, the other answers its result."""

from __future__ import annotations

import boto3
import pytest
from pynamodb.exceptions import PutError

from shopfloor.factories.dependencies import factory_service, sprocket_service
from shopfloor.factories.idempotency import KeyTakenError, Recorded, RequestKey, RequestKeys
from shopfloor.factories.points import Points
from shopfloor.factories.schemas import ChartData, FactoryIn, Sprocket, SprocketIn
from shopfloor.factories.service import FactoryService, SprocketService
from tests.unit.conftest import TABLE_NAMES

CHART = ChartData(sprocket_production_actual=[1, 2], sprocket_production_goal=[3, 4], time=[60, 120])
SPROCKET = SprocketIn(teeth=5, pitch_diameter=5, outside_diameter=6, pitch=1)


class LateKeys:
    """Finds nothing the first time: as if the concurrent request recorded the key just after."""

    def __init__(self, keys: RequestKeys) -> None:
        self._keys = keys
        self.finds = 0

    def find(self, request: RequestKey) -> Recorded | None:
        self.finds += 1
        return None if self.finds == 1 else self._keys.find(request)


def items(table: str) -> int:
    return int(boto3.client("dynamodb").scan(TableName=TABLE_NAMES[table], Select="COUNT")["Count"])


def test_the_losing_factory_stores_nothing_and_answers_the_winners() -> None:
    real = factory_service()
    winner = real.create(FactoryIn(chart_data=CHART), "same-key")
    late = FactoryService(real._repository, real._next_id, LateKeys(real._keys))

    loser = late.create(FactoryIn(chart_data=CHART), "same-key")

    assert loser.replayed
    assert loser.resource == winner.resource
    assert (items("factories"), items("factory-points")) == (1, 1)  # the loser's chunks are gone


def test_the_losing_sprocket_stores_nothing_and_answers_the_winners() -> None:
    real = sprocket_service()
    winner = real.create(SPROCKET, "same-key")
    late = SprocketService(real._repository, real._next_id, LateKeys(real._keys))

    loser = late.create(SPROCKET, "same-key")

    assert loser.replayed
    assert loser.resource == winner.resource
    assert items("sprockets") == 1


def test_the_repository_refuses_a_recorded_key_without_storing_anything() -> None:
    repository = factory_service()._repository
    request = RequestKey("factories", "k", "fingerprint")
    repository.add(1, Points([60], [1], [1]), request)

    with pytest.raises(KeyTakenError):
        repository.add(2, Points([60, 120], [1, 2], [1, 2]), request)

    assert repository.get(2) is None
    assert repository.points(2, None, None, 10) == Points([], [], [])


def test_a_sprocket_id_is_never_stored_twice() -> None:
    repository = sprocket_service()._repository
    repository.add(Sprocket(id=7, **SPROCKET.model_dump()), None)

    with pytest.raises(PutError, match="ConditionalCheckFailed"):
        repository.add(Sprocket(id=7, **SPROCKET.model_dump()), None)
