"""The trustcircle extension jars, delivered to the cluster with their checksums.

The build (``scripts/lib.sh``) writes ``extensions/target/SHA256SUMS``. The stack checks every jar against
it before it ships anything, puts the jars and a flat ``SHA256SUMS`` in one ConfigMap (binary data, no
secret in it), and the Keycloak pods' init container runs ``sha256sum -c`` on them again before Keycloak
sees them. The checksums also go into a pod annotation, so a new jar rolls the pods.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path

from trustcircle.errors import ConfigurationError

SUMS = "SHA256SUMS"
CONFIGMAP_LIMIT_BYTES = 1_000_000  # a ConfigMap holds at most 1 MiB


@dataclass(frozen=True)
class Jar:
    name: str
    sha256: str
    content: bytes


def read_jars(extensions: Path) -> list[Jar]:
    """The jars listed in ``extensions/target/SHA256SUMS``, each checked against its recorded sum."""
    sums = extensions / "target" / SUMS
    if not sums.is_file():
        raise ConfigurationError(f"{sums} not found: the extension is not built",
                                 "build it: ./run setup (or mvn -f extensions/pom.xml package, then ./run setup)")
    jars = []
    for line in sums.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        digest, _, rel = line.partition("  ")
        path = extensions / rel.strip()
        content = path.read_bytes() if path.is_file() else b""
        if hashlib.sha256(content).hexdigest() != digest:
            raise ConfigurationError(f"{path} does not match its checksum in {sums}",
                                     "rebuild the extension (./run setup) so the jar and SHA256SUMS agree")
        jars.append(Jar(name=path.name, sha256=digest, content=content))
    if not jars:
        raise ConfigurationError(f"{sums} lists no jar", "rebuild the extension (./run setup)")
    return jars


def configmap_data(jars: list[Jar]) -> tuple[dict[str, str], dict[str, str]]:
    """``(data, binaryData)`` of the extension ConfigMap: the flat SHA256SUMS and the base64 jars."""
    if sum(len(j.content) for j in jars) > CONFIGMAP_LIMIT_BYTES * 3 // 4:  # base64 grows by a third
        raise ConfigurationError("the extension jars do not fit in a ConfigMap",
                                 "build an image with them (keycloak.prebuiltImage: true, docs/kubernetes.md)")
    sums = "".join(f"{j.sha256}  {j.name}\n" for j in jars)
    return {SUMS: sums}, {j.name: base64.b64encode(j.content).decode() for j in jars}


def fingerprint(jars: list[Jar]) -> str:
    """One digest over all jars: the pod annotation that rolls the pods when a jar changes."""
    return hashlib.sha256("".join(sorted(j.sha256 for j in jars)).encode()).hexdigest()
