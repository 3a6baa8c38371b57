"""Status lists, the trust list and the verifier, with real keys and signatures: every refusal the
verifier owes (online and offline alike: the same function decides) and the happy path. The
credentials here are made by the sd-jwt library's issuer, as an issuer node would."""

from __future__ import annotations

import json
import random
import time
import zlib
from typing import Any

import pytest
from jwcrypto import jwk
from sd_jwt.common import SDObj
from sd_jwt.issuer import SDJWTIssuer

from conformance.wallet import Wallet
from trustcircle.attestations import status_list as sl
from trustcircle.attestations import trust_list as tl
from trustcircle.attestations.verify import ENVELOPE, Decision, cached, verify_presentation

NOW = int(time.time())  # the wallet signs its key-binding JWT at the real time: set again before each test
ISSUER = "https://127.0.0.1:8443/realms/cnaf"
STATUS_URI = f"{ISSUER}/trustcircle-attestations/status/1"
VERIFIER = "cnaf-home-visit"
RULES = tl.Rules(max_status_list_age_s=86_400, max_trust_list_age_s=7 * 86_400, max_presentation_age_s=300,
                 verifiers={VERIFIER: ("rsa", "prime-activite", "organisation")})


def key(kid: str) -> jwk.JWK:
    return jwk.JWK.generate(kty="EC", crv="P-256", kid=kid)


ISSUER_KEY, FEDERATION_KEY, STRANGER_KEY = key("issuer-1"), key("federation-1"), key("stranger")


def keyset(*keys: jwk.JWK) -> jwk.JWKSet:
    result = jwk.JWKSet()
    for k in keys:
        result.add(jwk.JWK(**k.export_public(as_dict=True)))
    return result


def trust_list(issued_at: int | None = None, sequence: int = 7, status_lists: tuple[str, ...] = (STATUS_URI,),
               signer: jwk.JWK = FEDERATION_KEY) -> str:
    listed = tl.TrustList("trustcircle:reference", NOW - 3600 if issued_at is None else issued_at, sequence,
                          (tl.Issuer(ISSUER, "CNAF", keyset(ISSUER_KEY), status_lists),), RULES)
    return tl.sign(listed, signer)


def status_token(revoked: dict[int, int] | None = None, issued_at: int | None = None, uri: str = STATUS_URI,
                 signer: jwk.JWK = ISSUER_KEY) -> str:
    statuses = sl.StatusList(1024, 2)
    for index, status in (revoked or {}).items():
        statuses.set(index, status)
    return sl.sign_token(statuses, uri, signer, NOW - 30 if issued_at is None else issued_at,
                         lifetime_s=86_400 * 2, ttl_s=3600)


def issue(wallet: Wallet, index: int = 5, expires: int | None = None, uri: str = STATUS_URI,
          signer: jwk.JWK = ISSUER_KEY, iss: str = ISSUER) -> str:
    claims: dict[Any, Any] = {
        "iss": iss, "vct": "urn:trustcircle:habilitation", "iat": NOW - 60,
        "exp": NOW + 86_400 if expires is None else expires,
        "status": {"status_list": {"idx": index, "uri": uri}},
        "organisation": "cd33", SDObj("given_name"): "Camille", SDObj("family_name"): "Agent",
        SDObj("rsa"): True, SDObj("prime-activite"): True, SDObj("adresse"): True,
    }
    issued = SDJWTIssuer(claims, signer, holder_key=jwk.JWK(**wallet.public_jwk()), sign_alg="ES256",
                         extra_header_parameters={"typ": "dc+sd-jwt", "kid": signer.key_id})
    credential: str = issued.sd_jwt_issuance
    wallet.receive(credential)
    return credential


def decide(presentation: str, nonce: str = "n-0001", requested: tuple[str, ...] = ("rsa",),
           listed: str | None = None, statuses: dict[str, str] | None = None, now: int | None = None) -> Decision:
    now = NOW if now is None else now
    held = tl.verify(listed or trust_list(), FEDERATION_KEY, now)
    copies = {STATUS_URI: status_token()} if statuses is None else statuses
    return verify_presentation(presentation, held, cached(copies), VERIFIER, nonce, requested, now)


def codes(decision: Decision) -> list[str]:
    assert not decision.accepted, decision
    return [r.code for r in decision.reasons]


@pytest.fixture(autouse=True)
def _now() -> None:
    """The time of each test, not of the collection (minutes before, in a whole suite): the
    wallet's key-binding JWT carries the real time."""
    global NOW
    NOW = int(time.time())


@pytest.fixture
def wallet() -> Wallet:
    w = Wallet()
    issue(w)
    return w


# --- status lists --------------------------------------------------------------------------------

def test_the_drafts_examples_encode_and_decode_as_the_draft_says() -> None:
    one = sl.StatusList(16, 1)
    for index, status in enumerate([1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]):
        one.set(index, status)
    assert one.encode() == {"bits": 1, "lst": "eNrbuRgAAhcBXQ"}
    two = sl.StatusList.decode({"bits": 2, "lst": "eNo76fITAAPfAgc"})
    assert [two.get(i) for i in range(12)] == [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]


@pytest.mark.parametrize("bits", sl.BITS)
def test_any_status_of_any_width_survives_encoding(bits: int) -> None:
    rng = random.Random(bits)  # noqa: S311 (test data, not a secret)
    statuses = sl.StatusList(1000, bits)
    expected = {i: rng.randrange(1 << bits) for i in rng.sample(range(1000), 200)}
    for index, status in expected.items():
        statuses.set(index, status)
    decoded = sl.StatusList.decode(statuses.encode())
    assert all(decoded.get(i) == expected.get(i, 0) for i in range(1000))


def test_a_list_that_would_inflate_beyond_the_bound_or_is_cut_is_refused() -> None:
    bomb = sl.b64url(zlib.compress(bytes(sl.MAX_INFLATED_BYTES + 1), 9))
    with pytest.raises(sl.StatusListError, match="inflates beyond"):
        sl.StatusList.decode({"bits": 1, "lst": bomb})
    cut = sl.b64url(zlib.compress(bytes(range(256)) * 40, 9)[:-6])
    with pytest.raises(sl.StatusListError, match=r"truncated|not ZLIB"):
        sl.StatusList.decode({"bits": 1, "lst": cut})
    with pytest.raises(sl.StatusListError, match="bits"):
        sl.StatusList.decode({"bits": 3, "lst": "eNrbuRgAAhcBXQ"})


def test_a_status_list_token_is_taken_only_from_its_issuer_for_its_uri_and_unexpired() -> None:
    keys = keyset(ISSUER_KEY)
    assert sl.verify_token(status_token({3: 1}), STATUS_URI, keys, NOW).status_list.get(3) == sl.INVALID
    with pytest.raises(sl.StatusListError, match="not signed by its issuer"):
        sl.verify_token(status_token(signer=STRANGER_KEY), STATUS_URI, keys, NOW)
    with pytest.raises(sl.StatusListError, match="is for"):
        sl.verify_token(status_token(uri=f"{ISSUER}/other"), STATUS_URI, keys, NOW)
    with pytest.raises(sl.StatusListError, match="expired"):
        sl.verify_token(status_token(issued_at=NOW - 3 * 86_400), STATUS_URI, keys, NOW)


# --- the trust list ------------------------------------------------------------------------------

def test_a_trust_list_signed_by_someone_else_or_too_old_or_older_than_the_one_held_is_refused() -> None:
    held = tl.verify(trust_list(), FEDERATION_KEY, NOW)
    assert held.issuer(ISSUER) is not None and held.rules == RULES
    with pytest.raises(tl.TrustListError, match="not signed by the federation"):
        tl.verify(trust_list(signer=STRANGER_KEY), FEDERATION_KEY, NOW)
    with pytest.raises(tl.TrustListError, match="old; the rules allow"):
        tl.verify(trust_list(issued_at=NOW - 8 * 86_400), FEDERATION_KEY, NOW)
    with pytest.raises(tl.TrustListError, match="older than the one held"):
        tl.verify(trust_list(sequence=6), FEDERATION_KEY, NOW, older=held)
    with pytest.raises(tl.TrustListError, match="not an https URL"):
        tl.verify(trust_list(status_lists=("http://127.0.0.1/status/1",)), FEDERATION_KEY, NOW)


# --- the verifier --------------------------------------------------------------------------------

def test_a_verifier_that_asks_only_for_rsa_sees_nothing_else_of_the_agent(wallet: Wallet) -> None:
    decision = decide(wallet.present(("rsa",), "n-0001", VERIFIER))
    assert decision.accepted, decision.reasons
    assert set(decision.claims) - set(ENVELOPE) == {"rsa"} and decision.claims["rsa"] is True
    assert decision.claims["iss"] == ISSUER and "exp" in decision.claims
    both = decide(wallet.present(("rsa",), "n-0001", VERIFIER), requested=("rsa", "organisation"))
    assert set(both.claims) - set(ENVELOPE) == {"rsa", "organisation"}
    # a wallet disclosing more than asked shows the verifier's caller nothing more
    generous = decide(wallet.present(("rsa", "given_name", "adresse"), "n-0001", VERIFIER))
    assert generous.accepted and not {"given_name", "adresse"} & set(generous.claims)


def test_a_verifier_may_ask_only_for_what_the_rules_let_it(wallet: Wallet) -> None:
    assert codes(decide(wallet.present(("adresse",), "n-0001", VERIFIER), requested=("adresse",))) \
        == ["not-allowed"]


def test_a_tampered_credential_is_refused(wallet: Wallet) -> None:
    presentation = wallet.present(("rsa",), "n-0001", VERIFIER)
    jwt, rest = presentation.split("~", 1)
    header, payload, signature = jwt.split(".")
    claims = json.loads(sl.unb64url(payload))
    claims["organisation"] = "cpam69"
    forged = ".".join((header, sl.b64url(json.dumps(claims).encode()), signature))
    assert codes(decide(f"{forged}~{rest}")) == ["tampered"]


def test_a_credential_signed_by_a_key_the_trust_list_does_not_give_is_refused() -> None:
    wallet = Wallet()
    issue(wallet, signer=key("issuer-1"))  # the issuer's kid, another key
    assert codes(decide(wallet.present(("rsa",), "n-0001", VERIFIER))) == ["tampered"]


def test_an_unknown_issuer_is_refused() -> None:
    wallet = Wallet()
    issue(wallet, iss="https://127.0.0.1:8443/realms/elsewhere")
    assert codes(decide(wallet.present(("rsa",), "n-0001", VERIFIER))) == ["unknown-issuer"]


def test_a_presentation_signed_by_another_key_than_the_holders_is_refused(wallet: Wallet) -> None:
    stolen = wallet.present(("rsa",), "n-0001", VERIFIER, key=key("thief"))
    assert codes(decide(stolen)) == ["wrong-holder-key"]


def test_a_replayed_presentation_is_refused(wallet: Wallet) -> None:
    old = wallet.present(("rsa",), "n-0001", VERIFIER)
    assert codes(decide(old, nonce="n-0002")) == ["replayed"]
    assert codes(decide(old, now=NOW + 3600, listed=trust_list(issued_at=NOW),
                        statuses={STATUS_URI: status_token(issued_at=NOW + 3000)})) == ["replayed"]


def test_a_presentation_for_another_verifier_is_refused(wallet: Wallet) -> None:
    assert codes(decide(wallet.present(("rsa",), "n-0001", "someone-else"))) == ["wrong-audience"]


def test_an_expired_credential_is_refused() -> None:
    wallet = Wallet()
    issue(wallet, expires=NOW - 1)
    assert codes(decide(wallet.present(("rsa",), "n-0001", VERIFIER))) == ["expired"]


@pytest.mark.parametrize(("status", "code"), [(sl.INVALID, "revoked"), (sl.SUSPENDED, "suspended")])
def test_a_revoked_or_suspended_credential_is_refused(wallet: Wallet, status: int, code: str) -> None:
    presentation = wallet.present(("rsa",), "n-0001", VERIFIER)
    assert codes(decide(presentation, statuses={STATUS_URI: status_token({5: status})})) == [code]
    assert decide(presentation, statuses={STATUS_URI: status_token({6: status})}).accepted


def test_an_offline_status_list_older_than_the_rules_allow_or_missing_is_refused(wallet: Wallet) -> None:
    presentation = wallet.present(("rsa",), "n-0001", VERIFIER)
    assert codes(decide(presentation, statuses={STATUS_URI: status_token(issued_at=NOW - 90_000)})) \
        == ["status-too-old"]
    assert codes(decide(presentation, statuses={})) == ["status-unavailable"]
    assert codes(decide(presentation, statuses={STATUS_URI: status_token(signer=STRANGER_KEY)})) \
        == ["status-unavailable"]


def test_a_status_list_published_before_the_credential_cannot_speak_of_it(wallet: Wallet) -> None:
    """The issuer lists only what it issued: in a copy older than the credential, its entry says
    nothing (it would read as revoked)."""
    presentation = wallet.present(("rsa",), "n-0001", VERIFIER)
    assert codes(decide(presentation, statuses={STATUS_URI: status_token(issued_at=NOW - 120)})) \
        == ["status-too-old"]


def test_a_status_list_over_plain_http_is_refused() -> None:
    wallet = Wallet()
    issue(wallet, uri="http://127.0.0.1:8080/realms/cnaf/trustcircle-attestations/status/1")
    assert codes(decide(wallet.present(("rsa",), "n-0001", VERIFIER))) == ["status-over-http"]


def test_a_disclosure_that_does_not_match_its_digest_is_refused(wallet: Wallet) -> None:
    presentation = wallet.present(("rsa",), "n-0001", VERIFIER)
    jwt, disclosure, kb = presentation.split("~")
    salt, name, _value = json.loads(sl.unb64url(disclosure))
    altered = sl.b64url(json.dumps([salt, name, False]).encode())
    assert "disclosure-mismatch" in codes(decide(f"{jwt}~{altered}~{kb}"))


def test_several_faults_are_all_named() -> None:
    wallet = Wallet()
    issue(wallet, expires=NOW - 1)
    presentation = wallet.present(("rsa",), "n-0001", VERIFIER)
    assert sorted(codes(decide(presentation, nonce="n-0002", statuses={STATUS_URI: status_token({5: 1})}))) \
        == ["expired", "replayed", "revoked"]
