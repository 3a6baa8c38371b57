"""The Maven repository the extension compiles against: the jars of the pinned Keycloak distribution.

The registry does not serve every artifact of every Keycloak release (for 26.7.3 it lacks
``keycloak-saml-core``, ``keycloak-saml-core-public``, ``keycloak-config-api`` and the parent POM
``keycloak-model-pom``, so ``keycloak-services`` and ``keycloak-model-jpa`` cannot be resolved).
The checksum-verified distribution holds them all, exactly as the server runs them. This module
writes the jars ``extensions/pom.xml`` names into a file repository next to the distribution
(``$TRUSTCIRCLE_CACHE/keycloak/<version>/maven``), under the group
``eu.trustcircle.keycloak-distribution``: the artifact id is the distribution's file name without its
version (``org.keycloak.keycloak-services``), the version is Keycloak's (each jar is "the one
Keycloak <version> ships"), and each POM declares no dependency (the server provides them all).

    python -m trustcircle.local.dist_repo DIST.tar.gz VERSION POM REPO_DIR
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

from trustcircle.errors import ConfigurationError

GROUP = "eu.trustcircle.keycloak-distribution"
_POM_NS = "{http://maven.apache.org/POM/4.0.0}"
_JAR = re.compile(r"^(?P<name>.+?)-(?P<version>\d[^/]*)\.jar$")
_LIB_DIRS = ("lib/lib/main/", "lib/lib/boot/")


def wanted_artifacts(pom: Path) -> list[str]:
    """The artifact ids of GROUP the POM depends on (dependencies and dependency management)."""
    root = ET.parse(pom).getroot()  # noqa: S314 (the project's own POM, not outside input)
    names = []
    for dep in root.iter(f"{_POM_NS}dependency"):
        if dep.findtext(f"{_POM_NS}groupId") == GROUP:
            names.append(dep.findtext(f"{_POM_NS}artifactId") or "")
    return sorted(set(n for n in names if n))


def _pom(artifact: str, version: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<project xmlns="http://maven.apache.org/POM/4.0.0">\n'
        "  <modelVersion>4.0.0</modelVersion>\n"
        f"  <groupId>{GROUP}</groupId>\n  <artifactId>{artifact}</artifactId>\n"
        f"  <version>{version}</version>\n"
        f"  <description>{artifact}, as shipped in the Keycloak {version} distribution</description>\n"
        "</project>\n")


def build(dist: Path, version: str, pom: Path, repo: Path) -> list[str]:
    """Write the wanted jars into ``repo``; returns the artifact ids written. Idempotent."""
    wanted = wanted_artifacts(pom)
    base = repo / Path(*GROUP.split("."))
    missing = [a for a in wanted if not (base / a / version / f"{a}-{version}.jar").exists()]
    if not missing:
        return []
    found: dict[str, tarfile.TarInfo] = {}
    with tarfile.open(dist) as archive:
        for member in archive:
            rel = member.name.split("/", 1)[1] if "/" in member.name else member.name
            if not member.isfile() or not rel.startswith(_LIB_DIRS):
                continue
            match = _JAR.match(rel.rsplit("/", 1)[1])
            if match and match["name"] in missing:
                found[match["name"]] = member
        absent = [a for a in missing if a not in found]
        if absent:
            raise ConfigurationError(
                f"the Keycloak {version} distribution {dist} has no jar for: {', '.join(absent)}",
                "extensions/pom.xml names a jar this Keycloak version does not ship: read its "
                "lib/lib/main/ and correct the artifact id (the jar's file name without its version)")
        for name, member in sorted(found.items()):
            target = base / name / version
            target.mkdir(parents=True, exist_ok=True)
            source = archive.extractfile(member)
            assert source is not None
            tmp = target / f".{name}.jar.{os.getpid()}"
            with source, tmp.open("wb") as out:
                shutil.copyfileobj(source, out)
            (target / f"{name}-{version}.pom").write_text(_pom(name, version))
            tmp.replace(target / f"{name}-{version}.jar")  # the jar last: its presence means complete
    return sorted(found)


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    dist, version, pom, repo = Path(argv[0]), argv[1], Path(argv[2]), Path(argv[3])
    try:
        written = build(dist, version, pom, repo)
    except ConfigurationError as err:
        print(f"trustcircle: error: {err}", file=sys.stderr)
        return 1
    if written:
        print(f"==> {len(written)} jars of the Keycloak {version} distribution written to {repo}",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
