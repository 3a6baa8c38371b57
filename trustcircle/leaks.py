"""Find key material and credentials in files a person reads (test reports, logs, rendered
manifests), without ever printing what was found.

Three kinds of finding:

- a PEM block of a private key (``-----BEGIN ... PRIVATE KEY-----``);
- a base64 (or base64url) run that decodes to a DER private key, as Keycloak stores them in
  attributes and exports (``MIIE...``), or the private part of a JWK (``"d": ...`` beside ``"kty"``);
- a known secret of this machine (the local admin password, the Pulumi passphrase, the Ansible
  test host's passwords), read from the state folder, appearing as it is.

Certificates and public keys are public: they are not findings. A finding names the file, the
line and the kind, never the value.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import load_der_private_key

PEM_PRIVATE = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")
# long enough for the smallest private key worth the name (an EC P-256 key in PKCS#8 is 138 bytes)
BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{160,}={0,2}")
JWK_PRIVATE = re.compile(r'"d"\s*:\s*"[A-Za-z0-9_-]{20,}"')
SECRET_MIN_LENGTH = 12  # shorter values (e.g. "admin") would match ordinary words
TEXT_SUFFIXES = (".xml", ".html", ".md", ".txt", ".log", ".json", ".jsonl", ".csv", ".yaml", ".yml", ".out")


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    kind: str

    def render(self) -> str:
        return f"{self.file}:{self.line}: {self.kind} (value not shown)"


def _decodes_to_private_key(run: str) -> bool:
    text = run.replace("-", "+").replace("_", "/")
    try:
        der = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    if not der.startswith(b"\x30"):  # a DER SEQUENCE
        return False
    try:
        load_der_private_key(der, password=None)
    except TypeError:  # an encrypted private key is a private key all the same
        return True
    except (ValueError, UnsupportedAlgorithm):  # not a private key
        return False
    return True


def redact(text: str) -> str:
    """``text`` with every private key (PEM or base64) replaced by a marker; for messages that may
    quote Keycloak representations."""
    text = re.sub(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----.*?(-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|$)",
                  "<private key>", text, flags=re.S)
    return BASE64_RUN.sub(lambda m: "<private key>" if _decodes_to_private_key(m.group(0)) else m.group(0), text)


def scan_text(text: str, file: str, secrets: Iterable[str] = ()) -> Iterator[Finding]:
    known = [s for s in secrets if len(s) >= SECRET_MIN_LENGTH]
    for number, line in enumerate(text.splitlines(), start=1):
        if PEM_PRIVATE.search(line):
            yield Finding(file, number, "PEM private key")
        if any(_decodes_to_private_key(run) for run in BASE64_RUN.findall(line)):
            yield Finding(file, number, "base64 private key (DER)")
        if JWK_PRIVATE.search(line) and '"kty"' in line:
            yield Finding(file, number, "private JWK")
        if any(secret in line for secret in known):
            yield Finding(file, number, "a credential of this machine")


def known_secrets(state: Path) -> list[str]:
    """The credentials this machine's trustcircle state holds (values only)."""
    found: list[str] = []
    for credentials in state.glob("*/admin.json"):
        try:
            found.append(str(json.loads(credentials.read_text())["password"]))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    passphrase = state / "pulumi-passphrase"
    if passphrase.is_file():
        found.append(passphrase.read_text().strip())
    for env in state.glob("*/secrets.env"):
        found += [line.split("=", 1)[1].strip() for line in env.read_text().splitlines() if "=" in line]
    return [s for s in found if s]


def scan(paths: Iterable[Path], secrets: Iterable[str] = ()) -> list[Finding]:
    """Every finding in the text files under ``paths`` (folders are walked)."""
    known = list(secrets)
    findings: list[Finding] = []
    for root in paths:
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in files:
            if path.suffix.lower() not in TEXT_SUFFIXES:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            findings += scan_text(text, str(path), known)
    return findings
