"""`make mail`: the e-mails the running local cloud sent, as moto's SES recorded them, oldest first.

    python -m infra.local.mail                  # one line each: id, time (UTC), to, subject
    python -m infra.local.mail --to ADDRESS     # only those sent to ADDRESS
    python -m infra.local.mail --show ID        # one e-mail: From, To, Subject, Date and its text

moto keeps every e-mail it accepts (SendEmail with raw or simple content, v1 or v2) in memory, and
shows them only in its dashboard's dump of every model it holds, `GET /moto-api/data.json`
(moto.moto_api._internal.responses.model_data): `ses.RawMessage` for raw e-mails, `ses.Message`
for simple ones. That dump is every model of every service, SQS messages included, so it grows as
the local cloud runs (a second or so per 5,000 SQS messages sent since moto started).

Other code (the integration tests) reads them with `sent_mail(moto_url)`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from typing import Any

import requests

from infra.local.errors import LocalCloudError
from infra.local.settings import LocalSettings

DATA_PATH = "/moto-api/data.json"
SHORT_ID_LENGTH = 12
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
NO_TIME = "-"
CONNECT_TIMEOUT_SECONDS = 2.0
# The dump holds every model moto keeps: after a long run it takes a while.
READ_TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True)
class Mail:
    """One e-mail moto's SES accepted. `time` is its Date header in UTC (None without one: simple
    content has none), `to` every recipient's bare address (the destination and the To, Cc and Bcc
    headers, each once), `body` its plain text (or HTML when it has no plain text), `raw` the MIME
    message as sent ("" for simple content)."""

    id: str
    time: datetime | None
    sender: str
    to: tuple[str, ...]
    subject: str
    body: str
    raw: str

    def is_to(self, address: str) -> bool:
        wanted = _bare(address)
        return any(recipient.lower() == wanted for recipient in self.to)


def sent_mail(moto_url: str, *, timeout: float = READ_TIMEOUT_SECONDS) -> list[Mail]:
    """Every e-mail moto server at `moto_url` has sent since it started, oldest first."""
    try:
        response = requests.get(moto_url + DATA_PATH, timeout=(CONNECT_TIMEOUT_SECONDS, timeout))
        response.raise_for_status()
        data = response.json()
    except requests.ConnectionError as error:
        raise LocalCloudError(
            f"moto server does not answer at {moto_url} (is `make run` running?)"
        ) from error
    except (requests.RequestException, ValueError) as error:
        raise LocalCloudError(
            f"cannot read the e-mails moto server at {moto_url} recorded: {error}"
        ) from error
    return mails_from_model_data(data)


def mails_from_model_data(data: Mapping[str, Any]) -> list[Mail]:
    """The e-mails in moto's model dump, oldest first: by Date header, those without one last, each
    in the order moto recorded it."""
    ses = data.get("ses", {})
    mails = [_raw_mail(record) for record in ses.get("RawMessage", [])]
    mails += [_simple_mail(record) for record in ses.get("Message", [])]
    return sorted(mails, key=lambda mail: (mail.time is None, mail.time or datetime.min.replace(tzinfo=UTC)))


def short_ids(mails: Sequence[Mail], length: int = SHORT_ID_LENGTH) -> dict[str, str]:
    """Each e-mail's shortest id prefix of at least `length` characters that no other id begins."""
    ids = sorted({mail.id for mail in mails})
    shortest: dict[str, str] = {}
    for position, mail_id in enumerate(ids):
        # Sorted, the ids sharing the longest prefix with this one are its neighbours.
        neighbours = ids[max(position - 1, 0) : position] + ids[position + 1 : position + 2]
        shared = max((_common_prefix(mail_id, other) for other in neighbours), default=0)
        shortest[mail_id] = mail_id[: max(length, shared + 1)]
    return shortest


def _common_prefix(first: str, second: str) -> int:
    size = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        size += 1
    return size


def find_mail(mails: Sequence[Mail], wanted: str) -> Mail:
    """The e-mail of this id, or of the one id it begins; LocalCloudError if none or several."""
    exact = [mail for mail in mails if mail.id == wanted]
    if exact:
        return exact[0]
    found = [mail for mail in mails if wanted and mail.id.startswith(wanted)]
    if not found:
        raise LocalCloudError(f"no e-mail has the id {wanted!r} (`make mail` lists them)")
    if len(found) > 1:
        raise LocalCloudError(
            f"{len(found)} e-mails have ids beginning {wanted!r}: give more of the id "
            "(`make mail` lists them)"
        )
    return found[0]


def format_time(time: datetime | None) -> str:
    return time.strftime(TIME_FORMAT) if time is not None else NO_TIME


def listing(mails: Sequence[Mail], every: Sequence[Mail] | None = None) -> list[str]:
    """One line per e-mail: short id, time (UTC), to, subject; ids are kept unique among `every`."""
    ids = short_ids(every if every is not None else mails)
    rows = [(ids[mail.id], format_time(mail.time), ", ".join(mail.to), mail.subject) for mail in mails]
    id_width = max((len(row[0]) for row in rows), default=0)
    to_width = max((len(row[2]) for row in rows), default=0)
    return [
        f"{short:<{id_width}}  {time:<19}  {to:<{to_width}}  {subject}".rstrip()
        for short, time, to, subject in rows
    ]


def show(mail: Mail) -> str:
    """The e-mail as a mail reader shows it: From, To, Subject and Date, then its text."""
    headers = _message(mail.raw) if mail.raw else None

    def header(name: str, fallback: str) -> str:
        value = headers.get(name) if headers is not None else None
        return str(value) if value is not None else fallback

    lines = [
        f"From: {header('From', mail.sender)}",
        f"To: {header('To', ', '.join(mail.to))}",
        f"Subject: {header('Subject', mail.subject)}",
        f"Date: {header('Date', NO_TIME)}",
        "",
        mail.body.rstrip("\n"),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.local.mail",
        description="List the e-mails the running local cloud sent (moto's SES), oldest first.",
    )
    parser.add_argument("--to", metavar="ADDRESS", help="only those sent to ADDRESS (any case)")
    parser.add_argument("--show", metavar="ID", help="print this e-mail (its id, or a prefix of it)")
    args = parser.parse_args(argv)
    try:
        settings = LocalSettings.from_environ()
        mails = sent_mail(settings.moto_url)
        if args.show is not None:
            print(show(find_mail(mails, args.show)))
            return 0
    except LocalCloudError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    chosen = [mail for mail in mails if mail.is_to(args.to)] if args.to else mails
    for line in listing(chosen, every=mails):
        print(line)
    print(_summary(len(chosen), len(mails), args.to), file=sys.stderr)
    return 0


def _summary(shown: int, total: int, to: str | None) -> str:
    if not total:
        return "no e-mails sent yet"
    if to is None:
        return f"{total} e-mail{'s' if total != 1 else ''}"
    return f"{shown} of {total} e-mail{'s' if total != 1 else ''} sent to {_bare(to)}"


def _raw_mail(record: Mapping[str, Any]) -> Mail:
    raw = str(record.get("raw_data", ""))
    message = _message(raw)
    return Mail(
        id=str(record["id"]),
        time=_utc(message.get("Date")),
        sender=str(record.get("source") or message.get("From") or ""),
        to=_addresses(record.get("destinations", [])),
        subject=str(message.get("Subject", "")),
        body=_text(message),
        raw=raw,
    )


def _simple_mail(record: Mapping[str, Any]) -> Mail:
    return Mail(
        id=str(record["id"]),
        time=None,
        sender=str(record.get("source", "")),
        to=_addresses(record.get("destinations", {})),
        subject=str(record.get("subject", "")),
        body=str(record.get("body", "")),
        raw="",
    )


def _message(raw: str) -> EmailMessage:
    # moto keeps the raw bytes decoded as UTF-8: parsed as bytes again, an 8bit body decodes right.
    message = message_from_bytes(raw.encode("utf-8", "surrogateescape"), policy=policy.default)
    assert isinstance(message, EmailMessage)  # what policy.default makes
    return message


def _text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # an unknown charset, a broken encoding
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload)
    return content if isinstance(content, str) else content.decode("utf-8", "replace")


def _utc(date: object) -> datetime | None:
    """A Date header as an aware UTC datetime (a date without a zone is taken as UTC)."""
    if date is None:
        return None
    try:
        parsed = parsedate_to_datetime(str(date))
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _addresses(destinations: object) -> tuple[str, ...]:
    """Bare addresses, each once, in order. moto lists a raw e-mail's destination and its To, Cc
    and Bcc headers together (the same address twice, once as "Name <address>"); a simple
    e-mail's destinations are {"ToAddresses": [...], "CcAddresses": [...], ...}."""
    if isinstance(destinations, Mapping):
        values: Iterable[object] = [value for group in destinations.values() for value in group]
    elif isinstance(destinations, list):
        values = destinations
    else:
        values = []
    seen: dict[str, str] = {}
    for _, address in getaddresses([str(value) for value in values]):
        if address and address.lower() not in seen:
            seen[address.lower()] = address
    return tuple(seen.values())


def _bare(address: str) -> str:
    return (parseaddr(address)[1] or address).strip().lower()


if __name__ == "__main__":
    sys.exit(main())
