"""What the notifier has sent: one item per order event and recipient in the sent-emails table.

An e-mail is claimed before it is sent, by a put conditional on the item not existing: a repeat of
the event (a redelivered message, an event put twice, a replay) finds the claim and sends nothing.
When sending fails the claim is released, so the retry sends. Items expire (TTL) after the
retention of the bus's archive.

A customer's e-mails about one order go out in the order of its timeline: the claim of step n's
e-mail is a transaction that also checks that step n-1's e-mail to them is claimed (one call all the
same). EventBridge and SQS keep no order, so step n may come first; it then waits (NotYetError).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, Final

from botocore.exceptions import ClientError

from shopfloor.platform.clock import iso
from shopfloor.shop.notifier.messages import Email
from shopfloor.shop.order_events.events import OrderEventDetail

CONDITIONAL_CHECK_FAILED: Final = "ConditionalCheckFailedException"
TRANSACTION_CANCELED: Final = "TransactionCanceledException"
# How a transaction's item failed (CancellationReasons[].Code): its condition was false.
CONDITION_FAILED: Final = "ConditionalCheckFailed"


class NotYetError(Exception):
    """The e-mail that must go before this one is not claimed yet."""


def email_key(order_id: int, step: int, to: str) -> str:
    """One e-mail: the event (its order and step) and the recipient."""
    return f"order#{order_id}#step#{step}#to#{to.lower()}"


def keys(detail: OrderEventDetail, to: str) -> tuple[str, str | None]:
    """The e-mail's key, and the key of the e-mail to the same address that must be claimed before
    it: the one about the order's step before, for the customer (who is e-mailed every step)."""
    key = email_key(detail.order_id, detail.step, to)
    if detail.step == 0 or to.lower() != detail.customer.lower():
        return key, None
    return key, email_key(detail.order_id, detail.step - 1, to)


class SentEmails:
    """The sent-emails table, through the container's DynamoDB client (one PutItem per claim)."""

    def __init__(self, dynamodb: Any, table_name: str, retention: timedelta) -> None:
        self._dynamodb = dynamodb
        self._table_name = table_name
        self._retention = retention

    def claim(self, key: str, email: Email, now: datetime, after: str | None = None) -> str | None:
        """A token for the claim, or None if the e-mail was claimed before (sent, or being sent).
        With `after`, only once that e-mail is claimed; NotYetError until then."""
        token = uuid.uuid4().hex
        put = {
            "TableName": self._table_name,
            "Item": {
                "id": {"S": key},
                "to": {"S": email.to},
                "subject": {"S": email.subject},
                "claimed_at": {"S": iso(now)},
                "claim": {"S": token},
                "expires_at": {"N": str(int((now + self._retention).timestamp()))},
            },
            "ConditionExpression": "attribute_not_exists(id)",
        }
        try:
            if after is None:
                self._dynamodb.put_item(**put)
            else:
                before = {
                    "TableName": self._table_name,
                    "Key": {"id": {"S": after}},
                    "ConditionExpression": "attribute_exists(id)",
                }
                self._dynamodb.transact_write_items(TransactItems=[{"Put": put}, {"ConditionCheck": before}])
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code == CONDITIONAL_CHECK_FAILED:
                return None
            if code != TRANSACTION_CANCELED:
                raise
            reasons = [reason.get("Code") for reason in error.response.get("CancellationReasons", [])]
            if reasons[:1] == [CONDITION_FAILED]:
                return None
            if reasons[1:2] == [CONDITION_FAILED]:
                raise NotYetError(f"{after} is not claimed yet") from error
            raise
        return token

    def release(self, key: str, token: str) -> None:
        """Forget a claim whose e-mail was not sent (only this claim: the token must match)."""
        try:
            self._dynamodb.delete_item(
                TableName=self._table_name,
                Key={"id": {"S": key}},
                ConditionExpression="#claim = :token",
                ExpressionAttributeNames={"#claim": "claim"},
                ExpressionAttributeValues={":token": {"S": token}},
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != CONDITIONAL_CHECK_FAILED:
                raise
