from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from shopfloor.platform.ids import IdAllocator, SequenceModel
from shopfloor.platform.tables import bind
from tests.unit.conftest import TABLE_NAMES


def sequences() -> type[SequenceModel]:
    return bind(SequenceModel, TABLE_NAMES["ids"])


def test_ids_start_at_one_and_count_up_within_a_block() -> None:
    allocator = IdAllocator(sequences(), "things", block_size=10)

    assert [allocator.next_id() for _ in range(3)] == [1, 2, 3]


def test_one_table_write_reserves_a_whole_block() -> None:
    model = sequences()
    allocator = IdAllocator(model, "things", block_size=10)

    allocator.next_id()
    allocator.next_id()

    assert model.get("things").high == 10


def test_two_containers_never_hand_out_the_same_id() -> None:
    model = sequences()
    first, second = IdAllocator(model, "things", 3), IdAllocator(model, "things", 3)

    ids = [allocator.next_id() for _ in range(5) for allocator in (first, second)]

    assert len(set(ids)) == len(ids)
    assert min(ids) >= 1


def test_threads_sharing_one_allocator_get_distinct_ids() -> None:
    allocator = IdAllocator(sequences(), "things", block_size=4)

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(lambda _: allocator.next_id(), range(200)))

    assert len(set(ids)) == 200


def test_sequences_are_independent() -> None:
    model = sequences()

    assert IdAllocator(model, "a", 5).next_id() == 1
    assert IdAllocator(model, "b", 5).next_id() == 1


def test_a_block_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="block_size"):
        IdAllocator(sequences(), "things", 0)
