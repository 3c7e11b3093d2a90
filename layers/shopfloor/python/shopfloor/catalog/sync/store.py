"""Offers and price history in DynamoDB: reads by key, and each product's changes in a transaction
that holds only while the product still exists (a product deleted mid-sync keeps no offers).

A product's offers are one item (models.OfferModel), and what a sync observed of them one history
item (models.PriceHistoryModel), so the worker reads the offers of a whole batch with one
BatchGetItem and writes a changed product in at most four actions, whatever its number of offers.
The hot path speaks DynamoDB's own JSON through the container's client: pynamodb would build a
model per item and serialise each value twice. The changes of a batch's products are written in
one transaction, each product's writes beside the check that the product exists.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError
from pynamodb.exceptions import UpdateError

from shopfloor.catalog.models import ALL_OFFERS, OfferModel, PriceHistoryModel, ProductModel
from shopfloor.catalog.sync.reconcile import Offer, OfferChanges
from shopfloor.platform import aws
from shopfloor.platform.clock import iso
from shopfloor.platform.tables import is_conditional_check_failure

MAX_TRANSACTION_ACTIONS = 100  # DynamoDB's limit; a product takes at most four
MAX_BATCH_GET_KEYS = 100
# A product's offers share one item, 1,000 of them about 70 KB of DynamoDB's 400 KB; the history
# item of a sync holds at most the changes of the offers held and reported, twice that.
MAX_OFFERS = 1_000
UNPROCESSED_ATTEMPTS = 5
UNPROCESSED_BACKOFF_SECONDS = 0.05
OFFER_ENTRY = "offer#"
CHEAPEST_ENTRY = "cheapest#"
CONDITIONAL_CHECK_FAILED = "ConditionalCheckFailed"
_NO_REASON = (None, "None")
# Refusals that may come from one product's writes (a conflict on one of its items, an invalid
# item); throttling and the like fail the whole group, as they would each product.
_REFUSED_FOR_AN_ITEM = frozenset({"TransactionCanceledException", "ValidationException"})
_APPEND_CHANGES = (
    "SET #changes = list_append(if_not_exists(#changes, :none), :changes), "
    "#observed_at = :observed_at, #expires_at = :expires_at"
)
_APPEND_CHANGES_NAMES = {"#changes": "changes", "#observed_at": "observed_at", "#expires_at": "expires_at"}

Written = bool | Exception
"""What became of a product's changes: True written, False the product no longer exists, or the
error that kept them from being written."""


class TooManyOffersError(Exception):
    """More offers than one item may hold (MAX_OFFERS): the product fails, its offers stay as they were."""


def to_offers(item: OfferModel) -> list[Offer]:
    """The offers of an OfferModel item."""
    values: dict[str, dict[str, Any]] = item.offers.as_dict()  # type: ignore[no-untyped-call]
    return [
        Offer(id=offer_id, price=int(value["price"]), items_in_stock=int(value["items_in_stock"]))
        for offer_id, value in values.items()
    ]


def _offers_of(item: Mapping[str, Any]) -> list[Offer]:
    """The offers of an OfferModel item in DynamoDB's JSON."""
    return [
        Offer(
            id=offer_id,
            price=int(value["M"]["price"]["N"]),
            items_in_stock=int(value["M"]["items_in_stock"]["N"]),
        )
        for offer_id, value in item.get("offers", {}).get("M", {}).items()
    ]


def offers_entry(moment: datetime) -> str:
    """The key of the history item of what a sync at `moment` observed of a product's offers."""
    return f"{OFFER_ENTRY}{iso(moment)}"


def offer_entry(moment: datetime, offer_id: str) -> str:
    """Where one offer's change sorts among the entries of the history (its cursor)."""
    return f"{offers_entry(moment)}#{offer_id}"


def cheapest_entry(moment: datetime) -> str:
    return f"{CHEAPEST_ENTRY}{iso(moment)}"


@dataclass(frozen=True)
class _Block:
    """One product's writes, led by the check that the product exists."""

    product_id: int
    actions: list[dict[str, Any]]


class OffersStore:
    def __init__(
        self,
        products: type[ProductModel],
        offers: type[OfferModel],
        history: type[PriceHistoryModel],
        history_days: int,
    ) -> None:
        self._products = products
        self._offers = offers
        self._history = history
        self._history_days = history_days
        # The container's one DynamoDB client, the one the bound models use (platform/tables.py).
        self._client = aws.client("dynamodb")
        self._products_table = products.Meta.table_name
        self._offers_table = offers.Meta.table_name
        self._history_table = history.Meta.table_name

    def held_offers(self, product_ids: Collection[int]) -> dict[int, list[Offer]]:
        """Each product's offers as last synchronised (none yet: an empty list), read consistently,
        a hundred products to a BatchGetItem."""
        held: dict[int, list[Offer]] = {product_id: [] for product_id in product_ids}
        keys = [{"product_id": {"N": str(product_id)}, "offer_id": {"S": ALL_OFFERS}} for product_id in held]
        for start in range(0, len(keys), MAX_BATCH_GET_KEYS):
            request: dict[str, Any] = {
                self._offers_table: {
                    "Keys": keys[start : start + MAX_BATCH_GET_KEYS],
                    "ConsistentRead": True,
                    "ProjectionExpression": "#product, #offers",
                    "ExpressionAttributeNames": {"#product": "product_id", "#offers": "offers"},
                }
            }
            for attempt in range(UNPROCESSED_ATTEMPTS):
                if attempt:  # keys DynamoDB left unread (throttled): again, after a pause
                    time.sleep(UNPROCESSED_BACKOFF_SECONDS * 2**attempt)
                response = self._client.batch_get_item(RequestItems=request)
                for item in response["Responses"].get(self._offers_table, []):
                    held[int(item["product_id"]["N"])] = _offers_of(item)
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
            else:
                raise RuntimeError(f"DynamoDB left held offers unread after {UNPROCESSED_ATTEMPTS} attempts")
        return held

    def apply(self, product_id: int, changes: OfferChanges, moment: datetime) -> bool:
        """Write the changes and their history; False when the product no longer exists."""
        written = self.apply_all({product_id: changes}, moment)[product_id]
        if isinstance(written, Exception):
            raise written
        return written

    def apply_all(self, changes: Mapping[int, OfferChanges], moment: datetime) -> dict[int, Written]:
        """Write the changes of several products, each with its history, in as few transactions as
        hold them (100 actions each): one DynamoDB call for a batch of ten products, not ten.

        A product deleted meanwhile is left out and the others written; a refusal that one
        product's writes may cause (a conflict, an invalid item) is retried product by product, so
        that it fails that product alone; anything else (throttling, no answer) fails them all.
        """
        written: dict[int, Written] = {}
        group: list[_Block] = []
        size = 0
        for product_id, product_changes in changes.items():
            if len(product_changes.current) > MAX_OFFERS:
                written[product_id] = TooManyOffersError(
                    f"{len(product_changes.current)} offers: more than the {MAX_OFFERS} one item holds"
                )
                continue
            actions = self._actions(product_id, product_changes, moment)
            if size + len(actions) + 1 > MAX_TRANSACTION_ACTIONS:
                written.update(self._commit(group))
                group, size = [], 0
            group.append(_Block(product_id, [self._exists(product_id), *actions]))
            size += len(actions) + 1
        if group:
            written.update(self._commit(group))
        return written

    def mark_registered(self, product_id: int, offers_id: str) -> bool:
        try:
            self._products(product_id).update(
                actions=[self._products.offers_id.set(offers_id), self._products.registered.set(True)],
                condition=self._products.id.exists(),
            )
        except UpdateError as error:
            if is_conditional_check_failure(error):
                return False
            raise
        return True

    def mark_unregistered(self, product_id: int) -> None:
        try:
            self._products(product_id).update(
                actions=[self._products.registered.set(False)], condition=self._products.id.exists()
            )
        except UpdateError as error:
            if not is_conditional_check_failure(error):
                raise

    def remove_offers(self, product_id: int) -> int:
        """Every offer of the product; the number removed."""
        removed = 0
        with self._offers.batch_write() as batch:
            for item in self._offers.query(product_id, consistent_read=True):
                batch.delete(item)
                removed += len(to_offers(item)) if item.offer_id == ALL_OFFERS else 1
        return removed

    def purge_history(self, product_id: int) -> int:
        removed = 0
        with self._history.batch_write() as batch:
            for item in self._history.query(product_id, attributes_to_get=["product_id", "entry"]):
                batch.delete(item)
                removed += 1
        return removed

    def _commit(self, group: list[_Block]) -> dict[int, Written]:
        """One transaction for the group; what became of each of its products."""
        written: dict[int, Written] = {}
        while group:
            try:
                self._client.transact_write_items(
                    TransactItems=[action for block in group for action in block.actions]
                )
            except ClientError as error:
                gone = _deleted_products(group, error)
                if gone is not None:  # cancelled by products deleted meanwhile: the others again
                    written.update(dict.fromkeys(gone, False))
                    group = [block for block in group if block.product_id not in gone]
                    continue
                if len(group) > 1 and error.response.get("Error", {}).get("Code") in _REFUSED_FOR_AN_ITEM:
                    break  # some product's writes were refused: each product alone, so it fails alone
                written.update(dict.fromkeys((block.product_id for block in group), error))
                return written
            except Exception as error:  # no answer (network, timeout): the whole group failed
                written.update(dict.fromkeys((block.product_id for block in group), error))
                return written
            written.update(dict.fromkeys((block.product_id for block in group), True))
            return written
        for block in group:
            written.update(self._commit([block]))
        return written

    def _exists(self, product_id: int) -> dict[str, Any]:
        return {
            "ConditionCheck": {
                "TableName": self._products_table,
                "Key": {"id": {"N": str(product_id)}},
                "ConditionExpression": "attribute_exists(#id)",
                "ExpressionAttributeNames": {"#id": "id"},
            }
        }

    def _actions(self, product_id: int, changes: OfferChanges, moment: datetime) -> list[dict[str, Any]]:
        """The product's offers item (deleted once none is left), the history item of the changes
        observed, and the tracked price if it changed."""
        product = {"N": str(product_id)}
        observed_at = {"S": iso(moment)}
        expires_at = {"N": str(int((moment + timedelta(days=self._history_days)).timestamp()))}
        key = {"product_id": product, "offer_id": {"S": ALL_OFFERS}}
        actions: list[dict[str, Any]] = []
        if changes.current:
            offers = {
                offer.id: {"M": _price_and_stock(offer.price, offer.items_in_stock)}
                for offer in changes.current
            }
            item = {**key, "offers": {"M": offers}, "updated_at": observed_at}
            actions.append({"Put": {"TableName": self._offers_table, "Item": item}})
        elif changes.deleted:
            actions.append({"Delete": {"TableName": self._offers_table, "Key": key}})
        observed = [
            (offer.id, offer.price, offer.items_in_stock) for offer in [*changes.inserted, *changes.updated]
        ]
        observed += [(offer.id, offer.price, 0) for offer in changes.deleted]  # sold out
        if observed:
            # Appended, not put: a second sync of the product within the same second adds to it.
            entries = [
                {"M": {"offer_id": {"S": offer_id}, **_price_and_stock(price, stock)}}
                for offer_id, price, stock in sorted(observed)
            ]
            actions.append(
                {
                    "Update": {
                        "TableName": self._history_table,
                        "Key": {"product_id": product, "entry": {"S": offers_entry(moment)}},
                        "UpdateExpression": _APPEND_CHANGES,
                        "ExpressionAttributeNames": _APPEND_CHANGES_NAMES,
                        "ExpressionAttributeValues": {
                            ":none": {"L": []},
                            ":changes": {"L": entries},
                            ":observed_at": observed_at,
                            ":expires_at": expires_at,
                        },
                    }
                }
            )
        if changes.cheapest_changed:
            cheapest: dict[str, Any] = {
                "product_id": product,
                "entry": {"S": cheapest_entry(moment)},
                "observed_at": observed_at,
                "expires_at": expires_at,
            }
            if changes.cheapest_after is not None:  # nothing in stock: no price
                cheapest["price"] = {"N": str(changes.cheapest_after)}
            actions.append({"Put": {"TableName": self._history_table, "Item": cheapest}})
        return actions


def _price_and_stock(price: int, items_in_stock: int) -> dict[str, Any]:
    return {"price": {"N": str(price)}, "items_in_stock": {"N": str(items_in_stock)}}


def _deleted_products(group: list[_Block], error: ClientError) -> set[int] | None:
    """The products whose existence check cancelled the transaction, if nothing else did."""
    reasons = error.response.get("CancellationReasons")
    if not reasons or len(reasons) != sum(len(block.actions) for block in group):
        return None
    gone: set[int] = set()
    position = 0
    for block in group:
        codes = [reason.get("Code") for reason in reasons[position : position + len(block.actions)]]
        position += len(block.actions)
        if codes[0] == CONDITIONAL_CHECK_FAILED and all(code in _NO_REASON for code in codes[1:]):
            gone.add(block.product_id)
        elif any(code not in _NO_REASON for code in codes):
            return None
    return gone or None
