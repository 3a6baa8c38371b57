"""XML signatures checked as a partner checks them: xmlsec1 against the certificate it trusts."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_S = 30
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"


def verify(xml: str, certificate_pem: bytes, signed_element: str) -> subprocess.CompletedProcess[str]:
    """xmlsec1 --verify of the signature over ``signed_element`` (``namespace:LocalName``, whose
    ``ID`` attribute the signature references); returncode 0 when it checks."""
    xmlsec = shutil.which("xmlsec1")
    if xmlsec is None:
        raise RuntimeError("xmlsec1 is missing: ./run setup installs it (Debian package xmlsec1)")
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "signer.pem").write_bytes(certificate_pem)
        (Path(tmp) / "signed.xml").write_text(xml)
        return subprocess.run([xmlsec, "--verify", "--pubkey-cert-pem", str(Path(tmp) / "signer.pem"),
                               "--id-attr:ID", signed_element, str(Path(tmp) / "signed.xml")],
                              capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
