"""The offers sync's SQS message contract, one place for those who send (dispatch.py, the products
function's purge) and the one who reads (worker.py).

A message is `{"product_id": int, "offers_id": uuid | null, "registered": bool}`, or
`{"product_id": int, "purge": true}` once a product is deleted: its offers and price history go.
"""

from __future__ import annotations

import json

from pydantic import BaseModel

SQS_BATCH = 10
"""Messages to a SendMessageBatch, and to a worker's batch."""


class SyncMessage(BaseModel):
    product_id: int
    offers_id: str | None = None
    registered: bool = False
    purge: bool = False


def purge_message(product_id: int) -> str:
    """The body of the message that purges a deleted product's offers and price history."""
    return json.dumps({"product_id": product_id, "purge": True})
