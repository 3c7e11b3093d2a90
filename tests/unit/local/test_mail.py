"""`make mail` (infra.local.mail): the e-mails moto server's SES recorded, read from its model dump;
listed oldest first, filtered by recipient, shown one at a time by an id prefix."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from infra.local import mail, resources
from infra.local.errors import LocalCloudError
from infra.local.mail import Mail, sent_mail
from infra.local.settings import LocalSettings
from infra.topology import SHOP_MAIL
from tests.unit.local.threaded_moto import reset_moto, threaded_moto

SENDER = SHOP_MAIL.local_address
PLACED = datetime(2026, 3, 14, 9, 30, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSettings]:
    yield from threaded_moto(Path(tmp_path_factory.mktemp("moto")))


@pytest.fixture
def settings(moto: LocalSettings, monkeypatch: pytest.MonkeyPatch) -> LocalSettings:
    """An empty moto with the shop's sender verified; `make mail` reads it (SHOPFLOOR_MOTO_PORT)."""
    reset_moto(moto)
    resources.verify_email_sender(resources.client("sesv2", moto), SHOP_MAIL)
    monkeypatch.setenv("SHOPFLOOR_HOST", moto.host)
    monkeypatch.setenv("SHOPFLOOR_MOTO_PORT", str(moto.moto_port))
    return moto


@pytest.fixture
def aws(moto: LocalSettings) -> None:
    """The module's moto server, not the tables and queues every other unit test gets."""


@pytest.fixture(scope="module")
def ses(moto: LocalSettings) -> Any:
    return resources.client("sesv2", moto)


def send(
    ses: Any,
    to: str,
    subject: str,
    body: str = "Your flat white is ready.",
    *,
    date: datetime | None = PLACED,
    header_to: str | None = None,
) -> str:
    """A raw e-mail as the notifier sends it: From, To, Subject, Date, text/plain in UTF-8."""
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = header_to or to
    message["Subject"] = subject
    if date is not None:
        message["Date"] = format_datetime(date)
    message.set_content(body)
    answer = ses.send_email(
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": [to]},
        Content={"Raw": {"Data": message.as_bytes()}},
    )
    return str(answer["MessageId"])


def closed_port() -> int:
    """A port nothing listens on (the system's free port, released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    code = mail.main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_sent_mail_reads_what_moto_recorded(settings: LocalSettings, ses: Any) -> None:
    body = "Bonjour Zoë,\n\nvotre crème brûlée latte est prête. ☕\n"
    message_id = send(ses, "zoe@example.com", "Commande 12 — prête", body, header_to="Zoë <zoe@example.com>")

    [sent] = sent_mail(settings.moto_url)

    assert sent.id == message_id
    assert sent.time == PLACED
    assert sent.sender == SENDER
    # moto lists the destination and the To header both: each address once.
    assert sent.to == ("zoe@example.com",)
    assert sent.subject == "Commande 12 — prête"
    assert sent.body == body
    assert "Subject: " in sent.raw


@pytest.mark.parametrize(
    "body",
    [
        "Plain ASCII.\n",
        "Une ligne très longue qui dépasse soixante-dix-huit caractères, " * 4 + "\n",  # quoted-printable
        "☕☕☕ " * 40 + "\n",  # base64
    ],
    ids=["ascii", "long-latin", "long-symbols"],
)
def test_the_body_is_decoded_whatever_its_transfer_encoding(
    settings: LocalSettings, ses: Any, body: str
) -> None:
    send(ses, "zoe@example.com", "Encoded", body)

    [sent] = sent_mail(settings.moto_url)

    assert sent.body == body


def test_an_html_only_email_shows_its_html(settings: LocalSettings, ses: Any) -> None:
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = "zoe@example.com"
    message["Subject"] = "HTML"
    message.set_content("<p>Ready</p>", subtype="html")
    ses.send_email(
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": ["zoe@example.com"]},
        Content={"Raw": {"Data": message.as_bytes()}},
    )

    [sent] = sent_mail(settings.moto_url)

    assert sent.body == "<p>Ready</p>\n"
    assert sent.time is None


def test_mail_is_a_frozen_value() -> None:
    sent = Mail("id", None, SENDER, ("a@example.com",), "Hi", "Hello", "")

    with pytest.raises(AttributeError):
        sent.subject = "changed"  # type: ignore[misc]


def test_the_listing_is_oldest_first_one_line_each(
    settings: LocalSettings, ses: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    later = send(ses, "bo@example.com", "Order 2 is ready", date=PLACED + timedelta(minutes=5))
    earlier = send(
        ses, "ana@example.com", "Order 1 is placed", date=PLACED.astimezone(timezone(timedelta(hours=2)))
    )
    undated = send(ses, "cy@example.com", "No date", date=None)

    code, lines, err = run(capsys)

    assert code == 0
    assert [line.split()[0] for line in lines] == [earlier[:12], later[:12], undated[:12]]
    assert lines[0].split(None, 3)[1:] == ["2026-03-14", "09:30:05", "ana@example.com  Order 1 is placed"]
    assert lines[1].split()[1:3] == ["2026-03-14", "09:35:05"]
    assert lines[2].split()[1:] == ["-", "cy@example.com", "No", "date"]
    assert err.strip() == "3 e-mails"


def test_simple_emails_are_listed_after_the_dated_ones(
    settings: LocalSettings, ses: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    ses.send_email(
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": ["dee@example.com"], "CcAddresses": ["Ed <ed@example.com>"]},
        Content={"Simple": {"Subject": {"Data": "Simple"}, "Body": {"Text": {"Data": "Plain text."}}}},
    )
    send(ses, "ana@example.com", "Raw")

    mails = sent_mail(settings.moto_url)

    assert [(sent.subject, sent.time, sent.to) for sent in mails] == [
        ("Raw", PLACED, ("ana@example.com",)),
        ("Simple", None, ("dee@example.com", "ed@example.com")),
    ]
    assert mails[1].body == "Plain text."
    assert mails[1].raw == ""


def test_to_shows_only_those_sent_to_the_address_in_any_case(
    settings: LocalSettings, ses: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    to_ana = send(ses, "ana@example.com", "For Ana")
    send(ses, "bo@example.com", "For Bo")

    code, lines, err = run(capsys, "--to", "ANA@Example.com")

    assert code == 0
    assert [line.split()[0] for line in lines] == [to_ana[:12]]
    assert err.strip() == "1 of 2 e-mails sent to ana@example.com"


def test_show_prints_one_email_by_a_prefix_of_its_id(
    settings: LocalSettings, ses: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    message_id = send(ses, "zoe@example.com", "Commande 12 — prête", "Bonjour Zoë,\nc'est prêt.\n")
    send(ses, "bo@example.com", "Other")

    code, lines, _ = run(capsys, "--show", message_id[:8])

    assert code == 0
    assert lines == [
        f"From: {SENDER}",
        "To: zoe@example.com",
        "Subject: Commande 12 — prête",
        "Date: Sat, 14 Mar 2026 09:30:05 +0000",
        "",
        "Bonjour Zoë,",
        "c'est prêt.",
    ]


def test_show_takes_the_full_id_too(
    settings: LocalSettings, ses: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    message_id = send(ses, "zoe@example.com", "Full id")

    code, lines, _ = run(capsys, "--show", message_id)

    assert code == 0
    assert "Subject: Full id" in lines


def test_an_unknown_id_is_a_one_line_error(
    settings: LocalSettings, ses: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    send(ses, "zoe@example.com", "There is one")

    code, lines, err = run(capsys, "--show", "not-an-id")

    assert code == 1
    assert lines == []
    assert err.splitlines() == ["error: no e-mail has the id 'not-an-id' (`make mail` lists them)"]


def test_an_ambiguous_prefix_is_a_one_line_error(
    settings: LocalSettings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    mails = [
        Mail("abcdef0123456789-1", None, SENDER, ("a@example.com",), "One", "", ""),
        Mail("abcdef0123456789-2", None, SENDER, ("b@example.com",), "Two", "", ""),
    ]
    monkeypatch.setattr(mail, "sent_mail", lambda moto_url: mails)

    code, _, err = run(capsys, "--show", "abcdef")
    _, lines, _ = run(capsys)

    assert code == 1
    assert err.splitlines() == [
        "error: 2 e-mails have ids beginning 'abcdef': give more of the id (`make mail` lists them)"
    ]
    # The listing's short ids grow until they tell the two apart.
    assert [line.split()[0] for line in lines] == ["abcdef0123456789-1", "abcdef0123456789-2"]


def test_no_email_says_so(settings: LocalSettings, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, err = run(capsys)

    assert code == 0
    assert lines == []
    assert err.strip() == "no e-mails sent yet"


def test_moto_server_not_running_is_a_one_line_error_naming_make_run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = closed_port()
    monkeypatch.setenv("SHOPFLOOR_HOST", "127.0.0.1")
    monkeypatch.setenv("SHOPFLOOR_MOTO_PORT", str(closed))

    code, lines, err = run(capsys)

    assert code == 1
    assert lines == []
    assert err.splitlines() == [
        f"error: moto server does not answer at http://127.0.0.1:{closed} (is `make run` running?)"
    ]
    with pytest.raises(LocalCloudError, match="make run"):
        sent_mail(f"http://127.0.0.1:{closed}")
