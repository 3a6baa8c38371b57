"""Truth tables: which URLs and which ways of writing a person are accepted, and when two
spellings name one person (four-eyes)."""

from __future__ import annotations

import pytest

from trustcircle.model.identity import person_key, person_problem
from trustcircle.model.urls import url_problem

ACCEPTED = [
    "https://cdap.example/saml/acs",
    "https://127.0.0.1:8547/gestion-rsa/callback",
    "https://[::1]:8443/callback",
    "https://xn--exmple-cua.example/callback?state=1",
    "https://login.udaf33.example/authorize",
]
REFUSED = {
    "http://cdap.example/acs": "only https",
    "HTTPS://cdap.example/acs": "lower case",
    "javascript:alert(1)": "only https",
    "/relative/callback": "only https",
    "https://cdap.example/*": "wildcard",
    "https://*.cdap.example/acs": "wildcard",
    "https://user:secret@cdap.example/acs": "user name or password",
    "https://cdap.example@evil.example/acs": "user name or password",
    "https://cdap.example/acs#top": "fragment",
    "https://2130706433/acs": "IP address in disguise",
    "https://127.1/acs": "IP address in disguise",
    "https://0x7f.0.0.1/acs": "IP address in disguise",
    "https://0177.0.0.1/acs": "IP address in disguise",
    "https:\\\\evil.example/acs": "lower case, two slashes",
    "https://evil.example\\@cdap.example/": "backslash",
    "https://Cdap.Example/acs": "lower-case DNS name",
    "https://cdap.example./acs": "lower-case DNS name",
    "https://cd\u0430p.example/acs": "printable ASCII",  # a Cyrillic a
    "https://cdap.example/a b": "printable ASCII",
    "https://cdap.example/a/../admin": ". or ..",
    "https://cdap.example/a/%2E%2E/admin": ". or ..",
    "https://cdap.example:0/acs": "port",
    "https://cdap.example:99999/acs": "port",
    "https://cdap.example:0443/acs": "port",
    "https:///acs": "no host",
    "https://cdap.example/" + "a" * 2100: "more than 2048",
}


@pytest.mark.parametrize("url", ACCEPTED)
def test_exact_https_urls_are_accepted(url: str) -> None:
    assert url_problem(url) is None


@pytest.mark.parametrize(("url", "reason"), REFUSED.items(), ids=list(range(len(REFUSED))))
def test_other_urls_are_refused_saying_why(url: str, reason: str) -> None:
    assert reason in (url_problem(url) or "")


SAME_PERSON = [
    ("caf33.verifier@caf.example", "CAF33.Verifier@CAF.example"),
    ("caf33.verifier@caf.example", " caf33.verifier@caf.example\t"),
    ("caf33.verifier@caf.example", "caf33.verifier@caf.example\u200b"),
    ("caf33.verifier@caf.example", "caf33.\u200dverifier@caf.example"),
    ("caf33.verifier@caf.example", "\uff43\uff41\uff46\uff13\uff13.verifier@caf.example"),
    ("caf33.verifier@caf.example", "caf33.verifier@caf.example\u00a0"),
    ("strasse@caf.example", "STRASSE@caf.example"),
]


@pytest.mark.parametrize(("one", "other"), SAME_PERSON)
def test_spellings_of_one_person_compare_equal(one: str, other: str) -> None:
    assert person_key(one) == person_key(other)


@pytest.mark.parametrize("written", [b for _, b in SAME_PERSON[1:6]] + [
    "caf33.v\u0435rifier@caf.example",  # a Cyrillic e: another key, refused as not plain
    "caf33 verifier@caf.example", "caf33.verifier", "caf33.verifier@CAF.example",
])
def test_only_plain_e_mail_addresses_are_accepted(written: str) -> None:
    assert person_problem(written) is not None
    assert person_problem("caf33.verifier@caf.example") is None
