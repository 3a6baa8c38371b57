"""Reading what Keycloak mailed, from the local federation's mail catcher."""

from __future__ import annotations

import base64
import json
import re
import time

from trustcircle.local.mail import MailCatcher

WAIT_S = 20


def wait_for_messages(catcher: MailCatcher, address: str, count: int) -> list[tuple[str, str]]:
    """(subject, plain-text body) of the first ``count`` messages to ``address``, waiting for them."""
    deadline = time.monotonic() + WAIT_S
    while True:
        messages = catcher.messages_to(address)
        if len(messages) >= count or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert len(messages) >= count, f"{len(messages)} message(s) to {address} after {WAIT_S} s, expected {count}"
    return [(str(m["Subject"]), _text(m)) for m in messages[:count]]


def _text(message: object) -> str:
    from email.message import Message

    assert isinstance(message, Message)
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no plain-text part")


def link_in(text: str) -> str:
    found = re.search(r"https://\S+", text)
    assert found, f"no link in: {text[:500]}"
    return found.group(0)


def token_lifetime_s(link: str) -> int:
    """exp - iat of the action token a link carries (``key=`` parameter, a JWT)."""
    key = re.search(r"key=([\w-]+\.[\w-]+\.[\w-]+)", link)
    assert key, link
    payload = key.group(1).split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return int(claims["exp"]) - int(claims["iat"])
