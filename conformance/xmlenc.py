"""XML Encryption as the e-service needs it to read an encrypted assertion: AES-GCM content
encryption, its key transported with RSA-OAEP (xmlenc11, SHA-256 or SHA-512 digest and MGF1).
Anything weaker is refused. And the same, the other way, for the organisation's own identity
provider that encrypts its assertion to the provider (AES-256-GCM, RSA-OAEP with SHA-256).

The Debian XML Security library (xmlsec1 1.2) cannot read RSA-OAEP with a SHA-256 digest, so the
service decrypts with ``cryptography`` and pysaml2 then checks the decrypted assertion (signature,
audience, recipient, validity, InResponseTo) as usual. The response's own signature, over the
encrypted form, is checked first with xmlsec1.
"""

from __future__ import annotations

import base64
import os
import re

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from conformance.xmldsig import SAMLP, verify

GCM = {"http://www.w3.org/2009/xmlenc11#aes128-gcm": 16, "http://www.w3.org/2009/xmlenc11#aes256-gcm": 32}
OAEP = "http://www.w3.org/2009/xmlenc11#rsa-oaep"  # with an explicit MGF (rsa-oaep-mgf1p is MGF1-SHA-1)
DIGESTS: dict[str, hashes.HashAlgorithm] = {
    "http://www.w3.org/2001/04/xmlenc#sha256": hashes.SHA256(),
    "http://www.w3.org/2001/04/xmlenc#sha512": hashes.SHA512(),
}
MGFS: dict[str, hashes.HashAlgorithm] = {
    "http://www.w3.org/2009/xmlenc11#mgf1sha256": hashes.SHA256(),
    "http://www.w3.org/2009/xmlenc11#mgf1sha512": hashes.SHA512(),
}
IV_BYTES = 12

_ASSERTION = re.compile(r"<(\w+:|)Assertion\b.*?</\1Assertion>", re.S)
_ENCRYPTED = re.compile(r"<(?:\w+:)?EncryptedAssertion\b.*?</(?:\w+:)?EncryptedAssertion>", re.S)
_CIPHER = re.compile(r"<(?:\w+:)?CipherValue>([^<]+)</(?:\w+:)?CipherValue>")


class DecryptionError(Exception):
    pass


def _algorithm(fragment: str, tag: str) -> str | None:
    found = re.search(rf'<(?:\w+:)?{tag}\b[^>]*?\bAlgorithm="([^"]+)"', fragment)
    return found.group(1) if found else None


def decrypt_assertion(response_xml: str, key_pem: bytes) -> str:
    """The response with its EncryptedAssertion replaced by the decrypted Assertion."""
    block = _ENCRYPTED.search(response_xml)
    if block is None:
        raise DecryptionError("no EncryptedAssertion in the response")
    encrypted = block.group(0)
    content_alg = _algorithm(encrypted, "EncryptionMethod")
    key_part = encrypted[encrypted.find("EncryptedKey"):]
    key_alg = _algorithm(key_part, "EncryptionMethod")
    if content_alg not in GCM or key_alg != OAEP:
        raise DecryptionError(f"algorithms refused: content {content_alg}, key transport {key_alg}")
    digest = DIGESTS.get(_algorithm(key_part, "DigestMethod") or "")
    if digest is None:
        raise DecryptionError("RSA-OAEP needs a SHA-256 or SHA-512 digest here")
    mgf = MGFS.get(_algorithm(key_part, "MGF") or "")
    if mgf is None:
        raise DecryptionError("RSA-OAEP needs MGF1 with SHA-256 or SHA-512 here")
    ciphers = _CIPHER.findall(encrypted)  # the transported key comes first (inside KeyInfo), then the data
    if len(ciphers) != 2:
        raise DecryptionError(f"expected 2 CipherValue elements, found {len(ciphers)}")
    private = serialization.load_pem_private_key(key_pem, password=None)
    if not isinstance(private, rsa.RSAPrivateKey):
        raise DecryptionError("the service's key is not RSA")
    try:
        content_key = private.decrypt(base64.b64decode(ciphers[0]),
                                      padding.OAEP(mgf=padding.MGF1(mgf), algorithm=digest, label=None))
        data = base64.b64decode(ciphers[1])
        plain = AESGCM(content_key).decrypt(data[:IV_BYTES], data[IV_BYTES:], None)
    except Exception as err:  # the tag or the padding does not check: tampered, or not for this key
        raise DecryptionError(f"cannot decrypt the assertion ({type(err).__name__})") from err
    if len(content_key) != GCM[content_alg]:
        raise DecryptionError("content key of the wrong size")
    return response_xml.replace(encrypted, plain.decode())


def without_response_signature(response_xml: str) -> str:
    """The response without its own signature (the one before the assertion): once it is checked
    over the encrypted form, it no longer applies to the decrypted one; the assertion keeps its own."""
    assertion = re.search(r"<(?:\w+:)?Assertion\b", response_xml)
    head = response_xml[:assertion.start()] if assertion else response_xml
    stripped = re.sub(r"<(\w+:)?Signature\b.*?</\1Signature>", "", head, count=1, flags=re.S)
    return stripped + response_xml[len(head):]


def verify_response_signature(response_xml: str, certificate_pem: bytes) -> None:
    """The signature of the Response element, checked with xmlsec1 against the IdP's certificate."""
    done = verify(response_xml, certificate_pem, f"{SAMLP}:Response")
    if done.returncode != 0:
        raise DecryptionError("the response's signature does not verify: " + done.stderr.strip().splitlines()[-1])


def encrypt_assertion(response_xml: str, certificate_pem: bytes) -> str:
    """The response with its (signed) Assertion replaced by its encryption to the certificate's key:
    an xenc:EncryptedData element (AES-256-GCM; the content key transported with RSA-OAEP, SHA-256
    digest and MGF1), to sit in the response's EncryptedAssertion."""
    block = _ASSERTION.search(response_xml)
    if block is None:
        raise DecryptionError("no Assertion to encrypt")
    public = x509.load_pem_x509_certificate(certificate_pem).public_key()
    if not isinstance(public, rsa.RSAPublicKey):
        raise DecryptionError("the recipient's key is not RSA")
    content_key, iv = AESGCM.generate_key(bit_length=256), os.urandom(IV_BYTES)
    data = iv + AESGCM(content_key).encrypt(iv, block.group(0).encode(), None)
    wrapped = public.encrypt(content_key, padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(),
                                                       label=None))
    encrypted = (
        '<xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" '
        'Type="http://www.w3.org/2001/04/xmlenc#Element">'
        '<xenc:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#aes256-gcm"/>'
        '<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><xenc:EncryptedKey>'
        f'<xenc:EncryptionMethod Algorithm="{OAEP}">'
        '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>'
        '<xenc11:MGF xmlns:xenc11="http://www.w3.org/2009/xmlenc11#" '
        'Algorithm="http://www.w3.org/2009/xmlenc11#mgf1sha256"/></xenc:EncryptionMethod>'
        f'<xenc:CipherData><xenc:CipherValue>{base64.b64encode(wrapped).decode()}</xenc:CipherValue>'
        '</xenc:CipherData></xenc:EncryptedKey></ds:KeyInfo>'
        f'<xenc:CipherData><xenc:CipherValue>{base64.b64encode(data).decode()}</xenc:CipherValue></xenc:CipherData>'
        '</xenc:EncryptedData>')
    return response_xml.replace(block.group(0), encrypted, 1)
