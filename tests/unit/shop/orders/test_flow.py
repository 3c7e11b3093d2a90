"""The status flow as a table: who may move an order where, and the words of a refusal."""

from __future__ import annotations

import pytest

from shopfloor.shop.orders.flow import CANCELLABLE, MANAGER_MOVES, Status, cannot_move, manager_source


def test_a_manager_moves_orders_forward_and_back_to_waiting_only() -> None:
    moves = {(source, wanted) for wanted, source in MANAGER_MOVES.items()}

    assert moves == {
        (Status.WAITING, Status.PREPARATION),
        (Status.PREPARATION, Status.READY),
        (Status.READY, Status.DELIVERED),
        (Status.PREPARATION, Status.WAITING),
    }


@pytest.mark.parametrize(
    ("wanted", "source"),
    [
        (Status.PREPARATION, Status.WAITING),
        (Status.READY, Status.PREPARATION),
        (Status.DELIVERED, Status.READY),
        (Status.WAITING, Status.PREPARATION),
        (Status.CANCELLED, None),
    ],
)
def test_each_status_a_manager_moves_into_has_one_source(wanted: Status, source: Status | None) -> None:
    assert manager_source(wanted) is source


def test_only_waiting_and_preparing_orders_can_be_cancelled() -> None:
    assert {Status.WAITING, Status.PREPARATION} == CANCELLABLE


def test_a_refusal_names_both_statuses() -> None:
    assert cannot_move(Status.READY, Status.WAITING) == "Cannot move an order from ready to waiting."
