"""Sending an e-mail through SES (API v2, SendEmail with a raw MIME message): plain text in UTF-8,
with the headers a reader sees (From, To, Subject, Date)."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate
from typing import Any

from shopfloor.shop.notifier.messages import Email


def mime_message(sender: str, email: Email) -> bytes:
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(usegmt=True)
    message.set_content(email.body)
    return message.as_bytes()


class SesMailer:
    def __init__(self, sesv2: Any, sender: str) -> None:
        self._sesv2 = sesv2
        self._sender = sender

    def send(self, email: Email) -> str:
        """Sends the e-mail; SES's message id. With no Destination, SES sends to the message's To."""
        response = self._sesv2.send_email(
            FromEmailAddress=self._sender,
            Content={"Raw": {"Data": mime_message(self._sender, email)}},
        )
        return str(response["MessageId"])
