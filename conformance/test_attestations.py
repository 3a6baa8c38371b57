"""Habilitation attestations end to end, against the local federation: an agent signed in through
their organisation obtains one in a wallet (Keycloak's OID4VCI issuer, SD-JWT VC bound to the
wallet's key); a verifier checks it online (the status list fetched now) and offline (its cached
copies); a revocation — by an administrator, by the agent's organisation disabling them, by the
agent leaving the convention's group — makes both refuse it; and no convention, no attestation."""

from __future__ import annotations

import base64
import json
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from jwcrypto import jwk

from conformance.agents import Agent, access_accounts
from conformance.audit import wait_for_records
from conformance.conftest import rubriques_in_force
from conformance.wallet import Wallet
from trustcircle import ids
from trustcircle.attestations import publish
from trustcircle.attestations import trust_list as tl
from trustcircle.attestations.service import Nonces, Verifier, server
from trustcircle.attestations.verify import Decision, verify_presentation
from trustcircle.errors import ConflictError, KeycloakApiError
from trustcircle.keycloak.admin import Admin
from trustcircle.local.ca import ensure_tls
from trustcircle.model.schema import Federation, Provider
from trustcircle.target import Target

PROVIDER = "cnaf"
CREDENTIAL = "habilitation-cdap"
VERIFIER = "visite-a-domicile"
TIMEOUT_S = 30
MAX_HELD = 5  # unexpired attestations an agent may hold at once (the mapper's default)
API_PORT = 8548  # the online verification API, as `trustcircle attest serve` runs it
STATUS_WAIT_S = 45  # the status list is rebuilt at most every 30 s per node


def _payload(credential: str) -> dict[str, Any]:
    body = credential.split("~")[0].split(".")[1]
    value: dict[str, Any] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return value


@pytest.fixture(scope="module")
def provider(federation: Federation) -> Provider:
    return federation.provider(PROVIDER)


@pytest.fixture(scope="module")
def federation_key() -> jwk.JWK:
    return jwk.JWK.generate(kty="EC", crv="P-256", kid="federation-test")


@pytest.fixture(scope="module")
def held_trust_list(federation: Federation, target: Target, federation_key: jwk.JWK) -> tl.TrustList:
    """The trust list as a verifier holds it: signed by the federation, verified with its key."""
    issuer = publish.issuer_url(target.url, PROVIDER)
    keys = {issuer: publish.signing_keys(issuer, str(target.ca_bundle))}
    now = int(time.time())
    signed = tl.sign(publish.trust_list(federation, target.url, keys, now, 1), federation_key)
    return tl.verify(signed, federation_key, now)


def fetch_status(target: Target) -> Callable[[str], str | None]:
    """The online verifier's source: the status list fetched now, over https (the CA checked)."""
    def fetch(uri: str) -> str | None:
        answer = requests.get(uri, headers={"Accept": "application/statuslist+jwt"}, verify=str(target.ca_bundle),
                              timeout=TIMEOUT_S)
        return answer.text if answer.status_code == 200 else None
    return fetch


def verify(presentation: str, trust: tl.TrustList, statuses: Callable[[str], str | None], nonce: str,
           asked: tuple[str, ...] = ("rsa",)) -> Decision:
    return verify_presentation(presentation, trust, statuses, VERIFIER, nonce, asked, int(time.time()))


@pytest.fixture
def obtain(target: Target, provider: Provider) -> Callable[[Agent, str], tuple[Wallet, str]]:
    assert provider.attestations is not None
    wallet_config = provider.attestations.wallet

    def obtain(agent: Agent, organisation: str) -> tuple[Wallet, str]:
        wallet = Wallet()
        credential = wallet.obtain(target, PROVIDER, wallet_config.client_id, str(wallet_config.redirect_uris[0]),
                                   CREDENTIAL, organisation, agent)
        return wallet, credential
    return obtain


def test_an_agent_obtains_an_attestation_of_their_habilitations_bound_to_their_wallet(
        target: Target, make_agent: Callable[..., Agent], federation: Federation,
        obtain: Callable[[Agent, str], tuple[Wallet, str]]) -> None:
    agent = make_agent("cd33", "instructeurs-rsa")
    wallet, credential = obtain(agent, "cd33")
    header = json.loads(base64.urlsafe_b64decode(credential.split(".")[0] + "=="))
    claims = _payload(credential)
    assert header["typ"] == "dc+sd-jwt"
    assert claims["iss"] == publish.issuer_url(target.url, PROVIDER)
    assert claims["vct"] == "urn:trustcircle:habilitation:cdap"
    assert claims["cnf"]["jwk"]["x"] == wallet.public_jwk()["x"]
    assert claims["status"]["status_list"]["uri"] == publish.status_list_uri(target.url, PROVIDER)
    assert claims["organisation"] == "cd33" and claims["service"] == "cdap"
    # the rubriques and the agent's names are disclosures, not in the signed payload's clear
    assert not set(rubriques_in_force(federation, "cd33", "cdap")) & set(claims)
    assert "given_name" not in claims and len(claims["_sd"]) >= len(rubriques_in_force(federation, "cd33", "cdap"))


def test_a_verifier_checks_it_online_and_offline_seeing_only_what_it_asked(
        target: Target, make_agent: Callable[..., Agent], held_trust_list: tl.TrustList,
        obtain: Callable[[Agent, str], tuple[Wallet, str]]) -> None:
    wallet, _ = obtain(make_agent("cd33", "instructeurs-rsa"), "cd33")
    nonce = secrets.token_urlsafe(16)
    presentation = wallet.present(("rsa",), nonce, VERIFIER)
    online = verify(presentation, held_trust_list, fetch_status(target), nonce)
    assert online.accepted, online.reasons
    assert online.claims["rsa"] is True and not {"given_name", "adresse", "famille"} & set(online.claims)
    cached = {publish.status_list_uri(target.url, PROVIDER): fetch_status(target)(
        publish.status_list_uri(target.url, PROVIDER)) or ""}
    offline = verify(presentation, held_trust_list, cached.get, nonce)
    assert offline.accepted, offline.reasons
    replayed = verify(presentation, held_trust_list, cached.get, secrets.token_urlsafe(16))
    assert [r.code for r in replayed.reasons] == ["replayed"]


def _accepted(target: Target, trust: tl.TrustList, wallet: Wallet) -> None:
    nonce = secrets.token_urlsafe(16)
    decision = verify(wallet.present(("rsa",), nonce, VERIFIER), trust, fetch_status(target), nonce)
    assert decision.accepted, decision.reasons


def _refused_as_revoked(target: Target, trust: tl.TrustList, wallet: Wallet) -> Decision:
    """The verdict once the status list says so, waiting at most the list's refresh period."""
    deadline = time.monotonic() + STATUS_WAIT_S
    while True:
        nonce = secrets.token_urlsafe(16)
        decision = verify(wallet.present(("rsa",), nonce, VERIFIER), trust, fetch_status(target), nonce)
        if not decision.accepted or time.monotonic() > deadline:
            return decision
        time.sleep(3)


def test_an_administrators_revocation_is_refused_online_and_offline(
        target: Target, admin: Admin, make_agent: Callable[..., Agent], held_trust_list: tl.TrustList,
        obtain: Callable[[Agent, str], tuple[Wallet, str]]) -> None:
    agent = make_agent("cd33", "instructeurs-rsa")
    wallet, credential = obtain(agent, "cd33")
    index = _payload(credential)["status"]["status_list"]["idx"]
    _accepted(target, held_trust_list, wallet)
    admin.post_realm_resource(PROVIDER, f"{ids.ATTESTATIONS_RESOURCE}/attestations/{index}/revoke",
                              {"reason": "phone lost on a home visit"})
    online = _refused_as_revoked(target, held_trust_list, wallet)
    assert [r.code for r in online.reasons] == ["revoked"], online
    uri = publish.status_list_uri(target.url, PROVIDER)
    fresh_copy = {uri: fetch_status(target)(uri) or ""}
    nonce = secrets.token_urlsafe(16)
    offline = verify(wallet.present(("rsa",), nonce, VERIFIER), held_trust_list, fresh_copy.get, nonce)
    assert [r.code for r in offline.reasons] == ["revoked"]
    [account] = access_accounts(admin, agent, PROVIDER, "cd33")
    records = admin.get_realm_resource(PROVIDER, f"{ids.ATTESTATIONS_RESOURCE}/attestations?user={account['id']}")
    [record] = [r for r in records if r["index"] == index]
    assert record["reason"].endswith("phone lost on a home visit") and record["revoked_at"], record


@pytest.fixture
def disable_at_home(admin: Admin) -> Iterator[Callable[[Agent], None]]:
    def disable(agent: Agent) -> None:
        admin.put(f"/{agent.realm}/users/{agent.user_id}", {"enabled": False})
    yield disable


def test_an_agent_disabled_by_their_organisation_or_out_of_the_conventions_group_is_revoked(
        target: Target, admin: Admin, make_agent: Callable[..., Agent], held_trust_list: tl.TrustList,
        obtain: Callable[[Agent, str], tuple[Wallet, str]], disable_at_home: Callable[[Agent], None]) -> None:
    leaver, mover = make_agent("cd33", "instructeurs-rsa"), make_agent("cd33", "instructeurs-rsa")
    leaver_wallet, _ = obtain(leaver, "cd33")
    mover_wallet, _ = obtain(mover, "cd33")
    for wallet in (leaver_wallet, mover_wallet):  # valid, as soon as issued
        _accepted(target, held_trust_list, wallet)
    disable_at_home(leaver)
    [account] = access_accounts(admin, mover, PROVIDER, "cd33")
    group = admin.get(f"/{PROVIDER}/group-by-path/cd33/cdap")
    admin.delete(f"/{PROVIDER}/users/{account['id']}/groups/{group['id']}")
    for wallet in (leaver_wallet, mover_wallet):
        decision = _refused_as_revoked(target, held_trust_list, wallet)
        assert [r.code for r in decision.reasons] == ["revoked"], decision


def test_no_convention_no_attestation(target: Target, make_agent: Callable[..., Agent], provider: Provider) -> None:
    """A cd33 agent outside the group its cdap convention names signs in to the wallet but gets no
    attestation of cdap."""
    assert provider.attestations is not None
    agent = make_agent("cd33", "travailleurs-sociaux")
    wallet = Wallet()
    config = provider.attestations.wallet
    tokens = wallet.sign_in(target, PROVIDER, config.client_id, str(config.redirect_uris[0]), CREDENTIAL,
                            "cd33", agent)
    if tokens.status_code == 200:
        answer = wallet.request_credential(target, PROVIDER, tokens.json()["access_token"], CREDENTIAL)
        assert answer.status_code == 400 and "credentials" not in answer.text, answer.text
    else:
        assert "does not have verifiable credential" in tokens.text, tokens.text


@pytest.mark.destructive
def test_an_attestation_of_an_ended_convention_is_revoked_for_good(
        target: Target, admin: Admin, make_agent: Callable[..., Agent], held_trust_list: tl.TrustList,
        obtain: Callable[[Agent, str], tuple[Wallet, str]]) -> None:
    """The convention's window closes (its group's valid_until, as a converge writes it when the
    convention ends): the attestation is revoked, and stays revoked once the window is put back."""
    wallet, _ = obtain(make_agent("cd33", "instructeurs-rsa"), "cd33")
    _accepted(target, held_trust_list, wallet)
    group = admin.get(f"/{PROVIDER}/group-by-path/cd33/cdap")
    ended = {**group, "attributes": {**group["attributes"], ids.CONVENTION_VALID_UNTIL_ATTR: ["2026-01-01T00:00:00Z"]}}
    admin.put(f"/{PROVIDER}/groups/{group['id']}", ended)
    try:
        decision = _refused_as_revoked(target, held_trust_list, wallet)
        assert [r.code for r in decision.reasons] == ["revoked"], decision
    finally:
        admin.put(f"/{PROVIDER}/groups/{group['id']}", group)
    nonce = secrets.token_urlsafe(16)
    again = verify(wallet.present(("rsa",), nonce, VERIFIER), held_trust_list, fetch_status(target), nonce)
    assert [r.code for r in again.reasons] == ["revoked"], again  # a revocation is never undone


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trustcircle", "attest", *args], capture_output=True, text=True,
                          timeout=120, check=False)


def test_the_offline_command_and_the_online_api_decide_as_the_verifier_does(
        target: Target, make_agent: Callable[..., Agent], federation: Federation, federation_key: jwk.JWK,
        obtain: Callable[[Agent, str], tuple[Wallet, str]], tmp_path: Path) -> None:
    """A verifier's cache made online (``attest refresh``: the trust list checked with the
    federation's key, the status lists over https), then ``attest verify`` offline; and the online
    API (``attest serve``): a nonce it gave, used once; a malformed request named."""
    issuer = publish.issuer_url(target.url, PROVIDER)
    now = int(time.time())
    (tmp_path / "trust-list.jwt").write_text(tl.sign(publish.trust_list(
        federation, target.url, {issuer: publish.signing_keys(issuer, str(target.ca_bundle))}, now, now),
        federation_key))
    (tmp_path / "federation.jwk").write_text(federation_key.export_public())
    cache = tmp_path / "cache"
    wallet, _ = obtain(make_agent("cd33", "instructeurs-rsa"), "cd33")  # before the refresh: listed in it
    refreshed = _cli("refresh", "--trust-list", str(tmp_path / "trust-list.jwt"), "--federation-key",
                     str(tmp_path / "federation.jwk"), "--cache", str(cache), "--ca-bundle", str(target.ca_bundle))
    assert refreshed.returncode == 0, refreshed.stderr

    (tmp_path / "presentation").write_text(wallet.present(("rsa",), "n-offline", VERIFIER))
    offline = _cli("verify", str(tmp_path / "presentation"), "--verifier", VERIFIER, "--nonce", "n-offline",
                   "--ask", "rsa", "--cache", str(cache))
    assert offline.returncode == 0 and json.loads(offline.stdout)["claims"]["rsa"] is True, offline.stdout
    forged = _cli("verify", str(tmp_path / "presentation"), "--verifier", VERIFIER, "--nonce", "n-other",
                  "--ask", "rsa", "--cache", str(cache))
    assert forged.returncode == 1 and "replayed" in forged.stdout

    key = federation_key
    token = (cache / "trust-list.jwt").read_text().strip()
    files = ensure_tls(Path(target.ca_bundle).parent, ["127.0.0.1"], name="verification-api")
    verifier = Verifier(lambda at: tl.verify(token, key, at), fetch_status(target), Nonces(300))
    httpd = server(verifier, "127.0.0.1", API_PORT, str(files.server_cert), str(files.server_key))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    api = f"https://127.0.0.1:{API_PORT}"
    try:
        nonce = requests.post(f"{api}/nonce", verify=str(target.ca_bundle), timeout=TIMEOUT_S).json()["nonce"]
        body = {"presentation": wallet.present(("rsa",), nonce, VERIFIER), "nonce": nonce, "verifier": VERIFIER,
                "ask": ["rsa"]}
        first = requests.post(f"{api}/verify", json=body, verify=str(target.ca_bundle), timeout=TIMEOUT_S).json()
        assert first["accepted"] and first["claims"]["rsa"] is True, first
        again = requests.post(f"{api}/verify", json=body, verify=str(target.ca_bundle), timeout=TIMEOUT_S).json()
        assert [r["code"] for r in again["reasons"]] == ["replayed"], again
        bad = requests.post(f"{api}/verify", json={**body, "verifier": 7}, verify=str(target.ca_bundle),
                            timeout=TIMEOUT_S)
        assert bad.status_code == 400 and bad.json()["error"].startswith("verifier:"), bad.text
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_an_agent_holds_a_few_attestations_at_a_time_and_cannot_fill_the_status_list(
        target: Target, make_agent: Callable[..., Agent], provider: Provider) -> None:
    assert provider.attestations is not None
    config, wallet = provider.attestations.wallet, Wallet()
    tokens = wallet.sign_in(target, PROVIDER, config.client_id, str(config.redirect_uris[0]), CREDENTIAL, "cd33",
                            make_agent("cd33", "instructeurs-rsa"))
    assert tokens.status_code == 200, tokens.text
    access = tokens.json()["access_token"]
    answers = [wallet.request_credential(target, PROVIDER, access, CREDENTIAL) for _ in range(MAX_HELD + 1)]
    assert [a.status_code for a in answers] == [200] * MAX_HELD + [400], [a.text for a in answers]
    assert "already holds" in answers[-1].text


def test_the_federation_publishes_its_trust_list_where_verifiers_refresh_it_and_nobody_else_can(
        target: Target, admin: Admin, tmp_path: Path) -> None:
    """``attest trust-list --publish`` signs the list with the federation's key and publishes it in
    the issuing provider realm; a verifier refreshes its cache from that https address (never over
    plain http). Publishing takes an administrator of that realm: no token, an organisation's
    administrator, a list older than the published one or something that is not a trust list are
    refused, and what verifiers fetch stays the federation's list."""
    from conformance.administrators import make_person, totp

    published = _cli("trust-list", "--publish")
    assert published.returncode == 0, published.stderr
    uri = publish.trust_list_uri(target.url, PROVIDER)
    assert f"published: {uri}" in published.stdout, published.stdout
    served = requests.get(uri, verify=str(target.ca_bundle), timeout=TIMEOUT_S)
    assert served.status_code == 200 and served.headers["Content-Type"].startswith("application/jwt"), served.text
    key_file = tmp_path / "federation.jwk"
    key_file.write_text(_cli("federation-key").stdout)
    federation = jwk.JWK.from_json(key_file.read_text())
    listed = tl.verify(served.text, federation, int(time.time()))
    assert [i.id for i in listed.issuers] == [publish.issuer_url(target.url, PROVIDER)]
    assert wait_for_records(lambda r: r.get("resource_type") == "TRUSTCIRCLE_TRUST_LIST"
                            and r.get("details", {}).get("sequence") == str(listed.sequence)
                            and r.get("auth_realm") == "master")  # the platform's administrator published it

    cache = tmp_path / "cache"
    refresh = ("--federation-key", str(key_file), "--cache", str(cache), "--ca-bundle", str(target.ca_bundle))
    plain = _cli("refresh", "--trust-list", "http://" + uri.split("://", 1)[1], *refresh)
    assert plain.returncode != 0 and "is not served over https" in plain.stderr, plain.stderr
    assert not (cache / "trust-list.jwt").exists()
    refreshed = _cli("refresh", "--trust-list", uri, *refresh)
    assert refreshed.returncode == 0, refreshed.stderr
    assert (cache / "trust-list.jwt").read_text().strip() == served.text.strip()

    put = uri
    body = {"trust_list": served.text}
    assert requests.put(put, json=body, verify=str(target.ca_bundle), timeout=TIMEOUT_S).status_code == 401
    person = make_person(admin, ids.ADMINISTRATORS_GROUP, with_otp=True)  # an administrator of cd33
    try:
        assert person.otp_key is not None
        tokens = requests.post(f"{target.url}/realms/cd33/protocol/openid-connect/token", verify=str(target.ca_bundle),
                               data={"grant_type": "password", "client_id": "admin-cli", "username": person.username,
                                     "password": person.password, "totp": totp(person.otp_key)}, timeout=TIMEOUT_S)
        assert tokens.status_code == 200, tokens.text
        theirs = {"Authorization": f"Bearer {tokens.json()['access_token']}"}
        forged = tl.sign(tl.TrustList(listed.federation, listed.issued_at, listed.sequence + 10, (), listed.rules),
                         jwk.JWK.generate(kty="EC", crv="P-256", kid="not-the-federation"))
        refused = requests.put(put, json={"trust_list": forged}, headers=theirs, verify=str(target.ca_bundle),
                               timeout=TIMEOUT_S)
        assert refused.status_code == 403, refused.text
    finally:
        admin.delete(f"/cd33/users/{person.user_id}")
    # the server checks the sequence and the shape; the signature is every verifier's to check
    other = jwk.JWK.generate(kty="EC", crv="P-256", kid="any")
    older = tl.sign(tl.TrustList(listed.federation, listed.issued_at, listed.sequence - 1, listed.issuers,
                                 listed.rules), other)
    path = f"{ids.ATTESTATIONS_RESOURCE}/trust-list"
    with pytest.raises(ConflictError, match="not newer than the one published"):
        admin.put_realm_resource(PROVIDER, path, {"trust_list": older})
    with pytest.raises(KeycloakApiError, match=r"answered 400.*not a compact JWS"):
        admin.put_realm_resource(PROVIDER, path, {"trust_list": "not.a-token"})
    admin.put_realm_resource(PROVIDER, path, body)  # the same list again: nothing changes
    again = requests.get(uri, verify=str(target.ca_bundle), timeout=TIMEOUT_S)
    assert again.text == served.text


def _rotate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trustcircle", "rotate", "keys", *args, "--realm", PROVIDER],
                          capture_output=True, text=True, timeout=300, check=False)


def test_a_key_rotation_of_the_issuer_publishes_the_trust_list_again_with_the_new_key(
        target: Target, admin: Admin, make_agent: Callable[..., Agent], federation: Federation,
        obtain: Callable[[Agent, str], tuple[Wallet, str]]) -> None:
    """After ``rotate keys start`` the new key signs attestations at once: the rotation signs and
    publishes the trust list again, so a verifier that refreshes accepts them, while one still
    holding the list from before refuses them. Rolled back and finished, the list names the old
    keys only again (cnaf is left as it was)."""
    assert _cli("trust-list", "--publish").returncode == 0  # this machine signs the federation's list
    uri = publish.trust_list_uri(target.url, PROVIDER)
    federation_key = jwk.JWK.from_json(_cli("federation-key").stdout)

    def published() -> tl.TrustList:
        served = requests.get(uri, verify=str(target.ca_bundle), timeout=TIMEOUT_S)
        return tl.verify(served.text, federation_key, int(time.time()))

    def kids(trust: tl.TrustList) -> set[str]:
        return {str(k.key_id) for i in trust.issuers for k in i.keys}

    before = published()
    started = _rotate("start")
    try:
        assert started.returncode == 0, started.stderr
        assert f"published: {uri}" in started.stdout, started.stdout
        active = admin.get(f"/{PROVIDER}/keys")["active"]["RS256"]
        after = published()
        assert active in kids(after) and active not in kids(before) and after.sequence > before.sequence
        wallet, _ = obtain(make_agent("cd33", "instructeurs-rsa"), "cd33")
        _accepted(target, after, wallet)
        nonce = secrets.token_urlsafe(16)
        stale = verify(wallet.present(("rsa",), nonce, VERIFIER), before, fetch_status(target), nonce)
        assert "tampered" in {r.code for r in stale.reasons}, stale
    finally:
        rolled = _rotate("rollback")
        finished = _rotate("finish", "--no-wait")
    assert rolled.returncode == 0 and f"published: {uri}" in rolled.stdout, rolled.stdout + rolled.stderr
    assert finished.returncode == 0 and f"published: {uri}" in finished.stdout, finished.stdout + finished.stderr
    assert kids(published()) == kids(before)
