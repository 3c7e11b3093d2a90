"""The shared id allocator against the real ids table in DynamoDB Local, under concurrency."""

from __future__ import annotations

import threading
import uuid

import pytest

from infra.dynamodb import local_table_names
from shopfloor.platform.ids import IdAllocator, SequenceModel
from shopfloor.platform.tables import bind

pytestmark = pytest.mark.integration

THREADS = 16
IDS_PER_THREAD = 125  # 2000 in all
BLOCK_SIZE = 7


@pytest.mark.usefixtures("dynamodb_local")
def test_concurrent_allocators_never_hand_out_the_same_id() -> None:
    sequence = f"integration-{uuid.uuid4()}"
    table = local_table_names()["ids"]
    allocated: list[list[int]] = [[] for _ in range(THREADS)]
    failures: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def allocate(index: int) -> None:
        try:
            allocator = IdAllocator(bind(SequenceModel, table), sequence, BLOCK_SIZE)
            start.wait()
            allocated[index] = [allocator.next_id() for _ in range(IDS_PER_THREAD)]
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=allocate, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert failures == []
    ids = [allocated_id for chunk in allocated for allocated_id in chunk]
    assert len(ids) == THREADS * IDS_PER_THREAD
    assert len(set(ids)) == len(ids)
    assert min(ids) > 0
    assert all(chunk == sorted(chunk) for chunk in allocated)  # each container counts upwards
