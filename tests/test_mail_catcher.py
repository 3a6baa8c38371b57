"""The local mail catcher is a real SMTP server: STARTTLS required (verified against the local CA),
messages kept in a Maildir, one message per recipient readable by tests."""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from trustcircle.errors import LocalServerError
from trustcircle.local.ca import TlsFiles, ensure_tls
from trustcircle.local.mail import MailCatcher


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[MailCatcher, TlsFiles]]:
    tls = ensure_tls(tmp_path / "tls", ["127.0.0.1", "localhost"])
    catcher = MailCatcher(tmp_path / "mail", "127.0.0.1", _free_port())
    catcher.up(tls)
    yield catcher, tls
    catcher.down()


def _message(to: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "kc@example.org", to, "hello"
    message.set_content("body")
    return message


def test_a_message_sent_over_starttls_is_kept_for_its_recipient(running: tuple[MailCatcher, TlsFiles]) -> None:
    catcher, tls = running
    context = ssl.create_default_context(cafile=str(tls.ca_cert))  # verification on
    with smtplib.SMTP(catcher.host, catcher.port, timeout=10) as smtp:
        smtp.starttls(context=context)
        smtp.send_message(_message("camille@cd33.example"))
    [received] = catcher.messages_to("camille@cd33.example")
    assert received["Subject"] == "hello" and catcher.messages_to("someone@else.example") == []


def test_plain_text_mail_is_refused(running: tuple[MailCatcher, TlsFiles]) -> None:
    catcher, _ = running
    with smtplib.SMTP(catcher.host, catcher.port, timeout=10) as smtp, pytest.raises(smtplib.SMTPException):
        smtp.send_message(_message("camille@cd33.example"))
    assert catcher.messages_to("camille@cd33.example") == []


def test_up_is_idempotent_and_a_busy_port_is_named(running: tuple[MailCatcher, TlsFiles], tmp_path: Path) -> None:
    catcher, tls = running
    pid = catcher.pid()
    catcher.up(tls)
    assert catcher.pid() == pid
    other = MailCatcher(tmp_path / "other", catcher.host, catcher.port)
    with pytest.raises(LocalServerError) as caught:
        other.up(tls)
    assert f"{catcher.port} is already in use" in str(caught.value)
