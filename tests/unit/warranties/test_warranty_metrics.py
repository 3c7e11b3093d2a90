"""The warranties function counts the warranties it creates (not replays), and the archiver the
records it failed to archive (Powertools Metrics, printed as EMF by each handler)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from shopfloor.platform.batch import StreamBatchFailedError
from shopfloor.warranties.archiver import ARCHIVE_FAILURES
from shopfloor.warranties.service import WARRANTIES_CREATED
from tests.helpers.events import stream_event
from tests.helpers.handlers import HandlerClient, load_handler
from tests.helpers.lambda_context import FakeLambdaContext
from tests.helpers.metrics import emitted, forget
from tests.unit.warranties.test_archiver import REQUEST, new_warranty_image


@pytest.fixture(autouse=True)
def _no_metrics_left_over() -> Iterator[None]:
    forget()
    yield
    forget()


def test_a_warranty_created_is_counted_and_a_replay_is_not(capsys: pytest.CaptureFixture[str]) -> None:
    warranties = HandlerClient(load_handler("warranties"))
    headers = {"Idempotency-Key": "order-17"}

    first = warranties.post("/warranties", body=REQUEST, headers=headers)
    after_first = emitted(capsys.readouterr().out)
    replay = warranties.post("/warranties", body=REQUEST, headers=headers)

    assert first.status == 201
    assert after_first[WARRANTIES_CREATED] == [1]
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert WARRANTIES_CREATED not in emitted(capsys.readouterr().out)


def test_the_archiver_counts_the_records_that_failed(capsys: pytest.CaptureFixture[str]) -> None:
    _, good = new_warranty_image(json.dumps(REQUEST))
    broken = {**good, "id": {"N": "777"}}
    del broken["response"]
    archiver = load_handler("warranty_archiver")
    capsys.readouterr()

    archiver.lambda_handler(stream_event([broken, good, broken]), FakeLambdaContext())
    partly = emitted(capsys.readouterr().out)
    archiver.lambda_handler(stream_event([good]), FakeLambdaContext())
    none = emitted(capsys.readouterr().out)
    with pytest.raises(StreamBatchFailedError):  # published all the same
        archiver.lambda_handler(stream_event([broken, broken]), FakeLambdaContext())
    every = emitted(capsys.readouterr().out)

    assert (partly[ARCHIVE_FAILURES], none[ARCHIVE_FAILURES], every[ARCHIVE_FAILURES]) == ([2], [0], [2])
