"""The Pulumi program against the live local Keycloak: idempotent, and it refuses bad situations
(invalid realms/, unreachable Keycloak) before touching anything."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from trustcircle.keycloak.admin import Admin
from trustcircle.keycloak.client import find_client
from trustcircle.settings import REPO_ROOT
from trustcircle.target import Target

STACK = os.environ.get("TRUSTCIRCLE_STACK", "local")
TIMEOUT_S = 900



def _pulumi(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["pulumi", *args, "--stack", STACK, "--non-interactive"], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=TIMEOUT_S, check=False,
                          env={**os.environ, **(env or {})})


def test_second_pulumi_up_changes_nothing() -> None:
    result = _pulumi("up", "--yes", "--skip-preview", "--expect-no-changes")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = result.stdout.split("Resources:")[-1]
    assert re.search(r"\b\d+ unchanged", summary), summary
    assert not re.search(r"created|updated|deleted|replaced", summary), summary


def test_refresh_finds_no_drift_on_a_converged_federation() -> None:
    result = _pulumi("preview", "--refresh", "--expect-no-changes", "--diff")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_invalid_realms_stop_the_preview_before_any_change(tmp_path: Path) -> None:
    broken = tmp_path / "realms"
    shutil.copytree(REPO_ROOT / "realms", broken)
    conv = broken / "conventions" / "cnaf-cd33.yaml"
    conv.write_text(conv.read_text().replace("verified_by: caf33.verifier", "verified_by: caf33.admin"))
    result = _pulumi("preview", env={"TRUSTCIRCLE_REALMS": str(broken)})
    assert result.returncode != 0
    assert "TC302" in result.stdout + result.stderr
    assert "nothing was applied" in result.stdout + result.stderr


def test_unreachable_keycloak_is_one_clear_message(tmp_path: Path) -> None:
    target = tmp_path / "target.json"
    local = Target.load()
    target.write_text(json.dumps({"url": "https://127.0.0.1:1", "ca_bundle": str(local.ca_bundle),
                                  "admin_credentials": str(local.admin_credentials)}))
    result = _pulumi("preview", env={"TRUSTCIRCLE_TARGET": str(target)})
    assert result.returncode != 0
    assert "https://127.0.0.1:1 is unreachable" in result.stdout + result.stderr


def test_a_redirect_uri_edited_by_hand_is_reported_and_put_back(admin: Admin) -> None:
    client = find_client(admin, "cnaf", "urn:trustcircle:sp:cdap")
    assert client is not None
    wanted = client["redirectUris"]
    admin.put(f"/cnaf/clients/{client['id']}", {**client, "redirectUris": ["https://attacker.example/acs"]})

    preview = _pulumi("preview", "--refresh", "--diff")
    assert "attacker.example" in preview.stdout and "1 to update" in preview.stdout, preview.stdout[-3000:]

    up = _pulumi("up", "--yes", "--refresh", "--skip-preview")
    assert up.returncode == 0 and "1 updated" in up.stdout, up.stdout[-3000:]
    restored = find_client(admin, "cnaf", "urn:trustcircle:sp:cdap")
    assert restored is not None and restored["redirectUris"] == wanted


def test_an_object_made_by_hand_is_never_taken_over(admin: Admin, tmp_path: Path) -> None:
    hand_made = "urn:example:made-by-hand"
    admin.post("/cnaf/clients", {"clientId": hand_made, "protocol": "saml", "enabled": True})
    try:
        realms = tmp_path / "realms"
        shutil.copytree(REPO_ROOT / "realms", realms)
        provider = realms / "providers" / "cnaf.yaml"
        provider.write_text(provider.read_text().replace("  apis:\n", f"""    - id: annuaire
      name: Annuaire
      protocol: saml
      entity_id: {hand_made}
      acs_url: https://127.0.0.1:8543/annuaire/acs
      rubriques: [{{id: contacts, name: Contacts}}]
  apis:
"""))
        result = _pulumi("up", "--yes", "--skip-preview", env={"TRUSTCIRCLE_REALMS": str(realms)})
        assert result.returncode != 0
        assert "was not made by trustcircle; it is not taken over" in result.stdout + result.stderr
        client = find_client(admin, "cnaf", hand_made)
        assert client is not None and client.get("attributes", {}).get("trustcircle.service") is None
    finally:
        client = find_client(admin, "cnaf", hand_made)
        if client is not None:
            admin.delete(f"/cnaf/clients/{client['id']}")
    assert _pulumi("preview", "--expect-no-changes").returncode == 0
