"""What the notifier has sent: one item per order event and recipient in the sent-emails table.

An e-mail is claimed before it is sent, by a put conditional on the item not existing: a repeat of
the event (a redelivered message, an event put twice, a replay) finds the claim and sends nothing.
When sending fails the claim is released, so the retry sends. Items expire (TTL) after the
retention of the bus's archive.
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


def email_key(detail: OrderEventDetail, to: str) -> str:
    """One e-mail: the event (its order and step) and the recipient."""
    return f"order#{detail.order_id}#step#{detail.step}#to#{to.lower()}"


class SentEmails:
    """The sent-emails table, through the container's DynamoDB client (one PutItem per claim)."""

    def __init__(self, dynamodb: Any, table_name: str, retention: timedelta) -> None:
        self._dynamodb = dynamodb
        self._table_name = table_name
        self._retention = retention

    def claim(self, key: str, email: Email, now: datetime) -> str | None:
        """A token for the claim, or None if the e-mail was claimed before (sent, or being sent)."""
        token = uuid.uuid4().hex
        try:
            self._dynamodb.put_item(
                TableName=self._table_name,
                Item={
                    "id": {"S": key},
                    "to": {"S": email.to},
                    "subject": {"S": email.subject},
                    "claimed_at": {"S": iso(now)},
                    "claim": {"S": token},
                    "expires_at": {"N": str(int((now + self._retention).timestamp()))},
                },
                ConditionExpression="attribute_not_exists(id)",
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == CONDITIONAL_CHECK_FAILED:
                return None
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
