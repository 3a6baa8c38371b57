"""realms/ as a deployment other than the local federation applies it: each SAML service marked
``local_stand_in`` gets the local stand-in's certificate written in, as a real deployment gives its
services' own. The Ansible test host and the k8s stack's tests use such a copy, so neither the
Ansible role nor the k8s stack knows anything of stand-ins.

``python -m tests.stand_in_realms DEST`` (scripts/ansible.sh) writes it from the project's realms/
with the local federation's stand-ins (``$TRUSTCIRCLE_STATE/local/stand-ins``).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString

from trustcircle.local.stand_ins import USES, ensure_stand_in
from trustcircle.settings import REPO_ROOT, Paths


def copy_with_certificates(source: Path, dest: Path, stand_ins: Path) -> Path:
    """``dest`` anew: ``source`` with the stand-in certificates (made in ``stand_ins`` if missing)."""
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(source, dest)
    yaml = YAML(typ="rt")
    yaml.width = 4096
    for path in sorted(dest.glob("providers/*.yaml")):
        document = yaml.load(path)
        for service in document["provider"].get("services") or []:
            for use in USES:
                given = service.get(use)
                if given is not None and given.get("local_stand_in"):
                    pem = ensure_stand_in(stand_ins / service["id"], service["id"], use).certificate_pem
                    service[use] = {"certificate": LiteralScalarString(pem)}
        yaml.dump(document, path)
    return dest


if __name__ == "__main__":
    print(copy_with_certificates(REPO_ROOT / "realms", Path(sys.argv[1]), Paths.from_env().stand_ins))
