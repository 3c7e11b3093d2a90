"""The shared id allocator: positive integers, never repeated, one table write per block (hi/lo).

Each container reserves a block of ids with one atomic `ADD` on its sequence's counter and hands
them out from memory. Ids are unique across containers and restarts; a container that stops
leaves the rest of its block unused, so ids have gaps but never repeat.
"""

from __future__ import annotations

import threading

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model


class SequenceModel(Model):
    class Meta:
        table_name = "ids"

    sequence = UnicodeAttribute(hash_key=True)
    high = NumberAttribute(default=0)


class IdAllocator:
    def __init__(self, model: type[SequenceModel], sequence: str, block_size: int) -> None:
        if block_size < 1:
            raise ValueError("block_size must be at least 1")
        self._model = model
        self._sequence = sequence
        self._block_size = block_size
        self._lock = threading.Lock()
        self._next = 1
        self._last = 0

    def next_id(self) -> int:
        with self._lock:
            if self._next > self._last:
                self._reserve_block()
            allocated = self._next
            self._next += 1
            return allocated

    def _reserve_block(self) -> None:
        counter = self._model(self._sequence)
        counter.update(actions=[self._model.high.add(self._block_size)])
        self._last = int(counter.high)
        self._next = self._last - self._block_size + 1
