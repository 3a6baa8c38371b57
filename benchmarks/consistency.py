"""The consistency checker at scale, and the delay before a change at home reaches the provider.

Usage: ./run bench-consistency [ACCOUNTS] [--keep]   (default 100000; loopback only, bounded)

Makes a federation of its own on the local Keycloak (``bench-consistency``: an organisation realm
``bench-home`` with ACCOUNTS root accounts, a provider realm ``bench-provider`` with their ACCOUNTS
access accounts, linked by NameID through an identity provider, as brokering leaves them), puts 1 %
of the access accounts out of step, then measures, each in a process of its own:
  - ``check``: every account read through the admin API, a page at a time; time and peak memory;
  - ``sync``: the same, and the out-of-step accounts written; time and peak memory;
  - propagation: 20 root accounts disabled at home one after the other; the delay until their
    access account is disabled at the provider (the extension's listener), median and worst.
Prints a Markdown table. The realms are deleted at the end (``--keep`` keeps them for a re-run).
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

from trustcircle import ids
from trustcircle.errors import KeycloakApiError
from trustcircle.keycloak.admin import Admin
from trustcircle.target import Target

FEDERATION, HOME, PROVIDER, ORG = "bench-consistency", "bench-home", "bench-provider", "bench-org"
SYNCHRONISED = "firstName,lastName,email,addressLine1,trustcircle.status,trustcircle.source"
BATCH = 1000
PROPAGATIONS = 20
BOUND_S = 60


def _realm(admin: Admin, name: str, organisation: str | None) -> None:
    attributes = {ids.FEDERATION_ATTR: FEDERATION, **({ids.ORGANISATION_ATTR: organisation} if organisation else {})}
    admin.post("", {"realm": name, "enabled": True, "attributes": attributes,
                    "eventsListeners": ["jboss-logging", ids.CONSISTENCY_LISTENER]})
    profile = admin.get(f"/{name}/users/profile")
    admin.put(f"/{name}/users/profile", {**profile, "unmanagedAttributePolicy": "ENABLED"})


def _nameid(i: int) -> str:
    return f"G-bench-{i:07d}"


def make(admin: Admin, count: int) -> float:
    started = time.perf_counter()
    _realm(admin, HOME, ORG)
    _realm(admin, PROVIDER, None)
    admin.post(f"/{PROVIDER}/identity-provider/instances", {
        "alias": ORG, "providerId": "saml", "enabled": True,
        "config": {"singleSignOnServiceUrl": "https://127.0.0.1:9/sso", "entityId": f"{FEDERATION}-sp",
                   ids.ORGANISATION_ATTR: ORG, ids.CONSISTENCY_ATTRIBUTES_CONFIG: SYNCHRONISED,
                   ids.CONSISTENCY_QUALITY_CONFIG: "60"}})
    for first in range(0, count, BATCH):
        homes, accesses = [], []
        for i in range(first, min(first + BATCH, count)):
            names = {"firstName": "Camille", "lastName": f"Agent{i}", "email": f"agent{i}@bench.example"}
            homes.append({"username": f"agent{i}", "enabled": True, **names,
                          "attributes": {f"{ids.PERSISTENT_NAME_ID_PREFIX}{FEDERATION}-sp": [_nameid(i)],
                                         "addressLine1": [f"{i} rue du Banc"]}})
            stale = i % 100 == 0  # 1 %: what the checker must put right
            accesses.append({"username": f"{ORG}.{_nameid(i).lower()}", "enabled": True,
                             **{**names, "lastName": "Ancien" if stale else names["lastName"]},
                             "attributes": {"addressLine1": [f"{i} rue du Banc"], ids.STATUS_ATTR: ["active"],
                                            ids.SOURCE_ATTR: [f"keycloak/{HOME}"]},
                             "federatedIdentities": [{"identityProvider": ORG, "userId": _nameid(i),
                                                      "userName": _nameid(i).lower()}]})
        admin.post_json(f"/{HOME}/partialImport", {"ifResourceExists": "SKIP", "users": homes})
        admin.post_json(f"/{PROVIDER}/partialImport", {"ifResourceExists": "SKIP", "users": accesses})
        print(f"  {min(first + BATCH, count)}/{count} agents", file=sys.stderr, flush=True)
    return time.perf_counter() - started


def child(apply: bool) -> None:
    """One check or sync, in this process: prints its figures as JSON."""
    from trustcircle.consistency.checker import run

    started = time.perf_counter()
    report = run(Admin(Target.load()), FEDERATION, apply=apply)
    print(json.dumps({"seconds": time.perf_counter() - started, "checked": report.checked,
                      "differ": len(report.findings), "written": report.applied, "problems": report.problems[:3],
                      "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def _in_child(apply: bool) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "benchmarks.consistency", "--child", "sync" if apply else "check"],
                          capture_output=True, text=True, check=True, timeout=3600)
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def propagation(admin: Admin) -> list[float]:
    delays = []
    for i in range(PROPAGATIONS):
        [home] = admin.get(f"/{HOME}/users?username=agent{i}&exact=true")
        [access] = admin.get(f"/{PROVIDER}/users?username={ORG}.{_nameid(i).lower()}&exact=true")
        started = time.perf_counter()
        admin.put(f"/{HOME}/users/{home['id']}", {"enabled": False})
        while admin.get(f"/{PROVIDER}/users/{access['id']}")["enabled"]:
            if time.perf_counter() - started > BOUND_S:
                raise SystemExit(f"agent{i}: still enabled at the provider after {BOUND_S} s")
            time.sleep(0.02)
        delays.append(time.perf_counter() - started)
    return delays


def _remove(admin: Admin) -> None:
    """Delete the benchmark's realms; H2 (the local database) may time out deleting 100,000 users
    in one transaction: then say so rather than fail the benchmark that was measured."""
    for realm in (HOME, PROVIDER):
        try:
            admin.delete(f"/{realm}")
        except KeycloakApiError as err:
            print(f"realm {realm} not deleted ({err}); run this again with --keep to reuse it, or delete it "
                  "from the admin console (./run local reset deletes all local data)", file=sys.stderr)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        child(argv[1] == "sync")
        return 0
    count = int(next((a for a in argv if a.isdigit()), "100000"))
    admin = Admin(Target.load())
    existing = {r["realm"] for r in admin.get("")}
    made = 0.0
    if HOME not in existing:
        print(f"making {count} root accounts and {count} access accounts …", file=sys.stderr)
        made = make(admin, count)
    try:
        check, sync, after = _in_child(False), _in_child(True), _in_child(False)
        delays = propagation(admin)
    finally:
        if "--keep" not in argv:
            _remove(admin)
    print(f"| step ({count} access accounts) | time | peak memory | result |")
    print("| --- | ---: | ---: | --- |")
    if made:
        print(f"| making them (partial imports of {BATCH}) | {made:.0f} s | | |")
    for name, f in (("check", check), ("sync", sync), ("check after sync", after)):
        print(f"| {name} | {f['seconds']:.1f} s | {f['peak_mib']:.0f} MiB | {f['checked']} checked, "
              f"{f['differ']} differ, {f['written']} written {f['problems'] or ''} |")
    print(f"| a root account disabled → its access account disabled ({PROPAGATIONS} times) | median "
          f"{statistics.median(delays) * 1000:.0f} ms, worst {max(delays) * 1000:.0f} ms | | listener |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
