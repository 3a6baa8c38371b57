#!/usr/bin/python
"""Ansible module of the keycloak_realms role: runs ``python -m trustcircle apply`` on the controller."""

from __future__ import annotations

import json

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: trustcircle_apply
short_description: Validate realms/ and converge Keycloak with trustcircle's core library
description:
  - Runs C(python -m trustcircle apply --json) (with C(--check) in check mode). Changed only when
    something was (or, in check mode, would be) created or updated; the diff lists those objects.
options:
  python: {type: str, required: true, description: Python with trustcircle's requirements.}
  project_dir: {type: path, required: true, description: The trustcircle checkout.}
  realms: {type: path, required: true, description: The model's directory.}
  url: {type: str, required: true, description: Keycloak's public base URL.}
  ca_bundle: {type: path, required: true, description: CA bundle that verifies Keycloak's certificate.}
  admin_username: {type: str, required: true, description: Master realm administrator.}
  admin_password: {type: str, required: true, no_log: true, description: Its password.}
  smtp: {type: dict, default: {}, description: The realms' outgoing mail (Keycloak smtpServer settings).}
author: trustcircle
"""

RETURN = r"""
changes:
  description: objects created, updated or removed (name, action create/update/delete, fields)
  returned: always
  type: list
"""


def _line(change: dict) -> str:
    fields = f" ({', '.join(change['fields'])})" if change["action"] == "update" else ""
    return f"{change['action']} {change['name']}{fields}"


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "python": {"type": "str", "required": True},
            "project_dir": {"type": "path", "required": True},
            "realms": {"type": "path", "required": True},
            "url": {"type": "str", "required": True},
            "ca_bundle": {"type": "path", "required": True},
            "admin_username": {"type": "str", "required": True},
            "admin_password": {"type": "str", "required": True, "no_log": True},
            "smtp": {"type": "dict", "default": {}},
        },
        supports_check_mode=True,
    )
    p = module.params
    argv = [p["python"], "-m", "trustcircle", "apply", "--realms", p["realms"], "--target", "-", "--json"]
    argv += ["--check"] if module.check_mode else []
    description = {"url": p["url"], "ca_bundle": p["ca_bundle"]}
    if p["smtp"]:
        description["smtp"] = p["smtp"]
    target = json.dumps(description)
    env = {"PYTHONPATH": p["project_dir"], "TRUSTCIRCLE_ADMIN_USERNAME": p["admin_username"],
           "TRUSTCIRCLE_ADMIN_PASSWORD": p["admin_password"]}
    rc, out, err = module.run_command(argv, data=target, cwd=p["project_dir"], environ_update=env)
    if rc != 0:
        module.fail_json(msg=f"trustcircle apply failed (exit {rc})", stderr=err, rc=rc)
    try:
        changes = json.loads(out)
    except ValueError:
        module.fail_json(msg="trustcircle apply printed no JSON change list", stdout=out, stderr=err)
    text = "".join(_line(c) + "\n" for c in changes)
    module.exit_json(changed=bool(changes), changes=changes,
                     diff={"before": "", "after": text, "after_header": "Keycloak objects (create/update/delete)"})


if __name__ == "__main__":
    main()
