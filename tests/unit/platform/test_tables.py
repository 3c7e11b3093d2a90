"""Transactions that conflict with concurrent ones are tried again (shopfloor.platform.tables.transact)."""

from __future__ import annotations

from typing import Any

import pytest
from pynamodb.exceptions import CancellationReason, TransactWriteError, VerboseClientError
from pynamodb.transactions import TransactWrite

from shopfloor.platform import tables
from shopfloor.platform.tables import TransactionConflictError, transact


class Connection:
    """Cancels the first `conflicts` transactions with TransactionConflict, then takes them."""

    def __init__(self, conflicts: int, reason: str = "TransactionConflict") -> None:
        self.conflicts = conflicts
        self.reason = reason
        self.calls = 0

    def transact_write_items(self, **_: Any) -> dict[str, Any]:
        self.calls += 1
        if self.calls <= self.conflicts:
            cause = VerboseClientError(
                {"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"}},
                "TransactWriteItems",
                cancellation_reasons=[CancellationReason(code=self.reason)],
            )
            raise TransactWriteError("cancelled", cause=cause)
        return {}


def fill(transaction: TransactWrite) -> None:
    """Nothing to write: the fake connection decides the outcome."""


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shopfloor.platform.tables.time.sleep", lambda _: None)


def test_a_conflicting_transaction_is_tried_again_until_it_goes_through() -> None:
    connection = Connection(conflicts=3)

    transact(connection, fill)  # type: ignore[arg-type]

    assert connection.calls == 4


def test_one_that_keeps_conflicting_is_a_503_to_retry() -> None:
    connection = Connection(conflicts=100)

    with pytest.raises(TransactionConflictError) as refused:
        transact(connection, fill)  # type: ignore[arg-type]

    assert connection.calls == tables.MAX_TRANSACTION_ATTEMPTS
    assert (refused.value.status, refused.value.headers) == (503, {"Retry-After": "1"})


def test_a_failed_condition_is_raised_at_once_for_the_caller() -> None:
    connection = Connection(conflicts=1, reason="ConditionalCheckFailed")

    with pytest.raises(TransactWriteError):
        transact(connection, fill)  # type: ignore[arg-type]

    assert connection.calls == 1
