"""Scenario 11: the ownership contract at its edges, on both paths (docs/ownership.md).

- An object trustcircle owns but neither realms/ nor Pulumi's state holds (left by the other path)
  is removed by either path; one made by hand without the marker stays; so does a realm of another
  federation with marked objects in it; a second run changes nothing. ``pulumi preview`` shows the
  sweep, writing nothing, only while it has something to remove.
- ``trustcircle apply`` meets an object of a declared name that it did not make: it refuses,
  names it, and writes nothing, not even the unrelated change asked in the same run.
"""

from __future__ import annotations

from tests.scenarios.conftest import ApplyPath, DeployPath, PulumiPath
from trustcircle import ids
from trustcircle.keycloak.admin import Admin
from trustcircle.keycloak.group import find_group

MARKED = {ids.MANAGED_BY_ATTR: [ids.MANAGED_BY]}
OTHER_REALM = "scx-other-federation"


def test_only_what_is_owned_and_no_longer_declared_is_removed(path: DeployPath, admin: Admin) -> None:
    """The objects trustcircle owns but neither realms/ nor Pulumi's state holds (left by the other
    path, or a lost state) go, on both paths; a hand-made object and another federation's stay."""
    cnaf = path.realm("cnaf")
    admin.post(f"/{cnaf}/groups", {"name": "left-by-the-other-path", "attributes": MARKED})
    admin.post(f"/{cnaf}/groups", {"name": "made-by-hand", "attributes": {"team": ["ops"]}})
    admin.post("", {"realm": OTHER_REALM, "enabled": True,
                    "attributes": {ids.MANAGED_BY_ATTR: ids.MANAGED_BY, ids.FEDERATION_ATTR: "another"}})
    try:
        admin.post(f"/{OTHER_REALM}/groups", {"name": "theirs", "attributes": MARKED})

        if isinstance(path, PulumiPath):  # the preview shows the sweep, and writes nothing
            preview = path.stack.preview()
            assert preview.returncode == 0 and preview.writes == [], preview.output[-3000:]
            assert "scn-interops-demo/undeclared" in preview.output, preview.output[-3000:]
        path.converge()
        assert find_group(admin, cnaf, "/left-by-the-other-path") is None
        assert find_group(admin, cnaf, "/made-by-hand") is not None
        assert find_group(admin, OTHER_REALM, "/theirs") is not None
        assert path.converge() == []
        if isinstance(path, PulumiPath):  # and shows nothing once there is nothing to remove
            assert "undeclared" not in path.stack.preview().output
    finally:
        admin.delete(f"/{OTHER_REALM}")
        group = find_group(admin, cnaf, "/made-by-hand")
        if group is not None:
            admin.delete(f"/{cnaf}/groups/{group['id']}")


def test_apply_refuses_a_foreign_object_before_writing_anything(apply_path: ApplyPath, admin: Admin) -> None:
    apply_path.reset()
    apply_path.converge()
    cnaf = apply_path.realm("cnaf")
    group = find_group(admin, cnaf, "/cpam69")
    assert group is not None
    # the organisation group now looks made by someone else (its marker gone)
    admin.put(f"/{cnaf}/groups/{group['id']}", {"name": "cpam69", "attributes": {"team": ["ops"]}})
    # and, in the same run, an unrelated change: cd33's convention gains a rubrique
    conv = apply_path.realms / "conventions" / "cnaf-cd33.yaml"
    conv.write_text(conv.read_text().replace("rubriques: [dossier, droits, adresse, rsa, ressources]",
                                             "rubriques: [dossier, droits, adresse, rsa, ressources, famille]"))
    try:
        done = apply_path.apply()
        assert done.returncode == 1, done.stdout[-2000:]
        assert "group '/cpam69' in realm 'sca-cnaf' exists but was not made by trustcircle" in done.stderr
        assert "nothing was changed" in done.stderr
        cdap_group = find_group(admin, cnaf, "/cd33/cdap")
        assert cdap_group is not None
        roles = admin.get(f"/{cnaf}/groups/{cdap_group['id']}/role-mappings")["clientMappings"]
        assert "famille" not in {r["name"] for m in roles.values() for r in m["mappings"]}
    finally:
        admin.put(f"/{cnaf}/groups/{group['id']}", {"name": "cpam69", "attributes": group["attributes"]})
    assert {c["action"] for c in apply_path.changes()} == {"update"}
    assert apply_path.changes() == []
