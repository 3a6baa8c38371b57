"""A wallet, as a test client: it holds a key of its own, receives an attestation (an SD-JWT VC
bound to that key) and presents it to a verifier, disclosing only what it is asked for, with a
key-binding JWT over the verifier's nonce. The SD-JWT side is the ``sd-jwt`` library's holder."""

from __future__ import annotations

from jwcrypto import jwk
from sd_jwt.holder import SDJWTHolder

ALG = "ES256"


class Wallet:
    def __init__(self) -> None:
        self.key = jwk.JWK.generate(kty="EC", crv="P-256")
        self.credentials: list[str] = []

    def public_jwk(self) -> dict[str, str]:
        exported: dict[str, str] = self.key.export_public(as_dict=True)
        return exported

    def receive(self, credential: str) -> None:
        self.credentials.append(credential)

    def present(self, disclose: tuple[str, ...], nonce: str, audience: str, credential: str | None = None,
                key: jwk.JWK | None = None) -> str:
        """The latest credential (or ``credential``) presented to ``audience``: only the claims in
        ``disclose``, bound to ``nonce`` and signed by the wallet's key (or ``key``)."""
        holder = SDJWTHolder(credential or self.credentials[-1])
        holder.create_presentation({claim: True for claim in disclose}, nonce=nonce, aud=audience,
                                   holder_key=key or self.key, sign_alg=ALG)
        presentation: str = holder.sd_jwt_presentation
        return presentation
