"""Backup and restore of the local federation: one consistent archive, restored on a fresh machine.

What a federation cannot be rebuilt without, and nothing else:

- the Keycloak database (``local/keycloak-<version>/data``: realms, agents, credentials, sessions
  that outlive a restart, realm keys);
- the local CA and the certificates it issued (``local/tls``), the stand-in e-services' key pairs
  (``local/stand-ins``), the administrator's credentials and the target description;
- the audit trail (``local/audit``) and the upgrade history;
- the Pulumi state (``pulumi-backend``) and its passphrase (``pulumi-passphrase``, when the state
  holds it: a passphrase given by PULUMI_CONFIG_PASSPHRASE(_FILE) is the platform engineer's to keep).

Not kept: logs, caught mail (one-time links), Pulumi's plugin cache, build stamps, the test host.

Consistency: the embedded H2 database is copied with the server stopped (it is started again after
the copy; the downtime is measured and printed) and no Pulumi operation may hold the stack's lock.
The archive (``tar.gz``, 0600: it holds keys and password hashes) starts with a manifest: format,
Keycloak version, trustcircle version, and the sha256 of every file. A restore goes into an empty
state directory only, checks the format, the Keycloak version (a backup from another version is
refused: restore it with the trustcircle that pins that version, then upgrade) and every checksum
before anything is written in place.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from trustcircle.errors import ConfigurationError
from trustcircle.settings import Paths, versions

if TYPE_CHECKING:
    from trustcircle.local.server import LocalKeycloak

FORMAT = 1
MANIFEST = "trustcircle-backup.json"
PREFIX = "state"
# under the state directory: what is kept (directories recursively)
KEPT = ("local/admin.json", "local/target.json", "local/tls", "local/stand-ins", "local/audit",
        "local/upgrades.jsonl", "pulumi-backend", "pulumi-passphrase")
SKIPPED_IN_DATA = ("password-blacklists",)  # written again by ./run up from the project's deny-list


@dataclass(frozen=True)
class BackupReport:
    path: Path
    keycloak_version: str
    files: int
    bytes: int
    downtime_s: float | None  # None: the server was not running


@dataclass(frozen=True)
class RestoreReport:
    state: Path
    keycloak_version: str
    files: int
    created: str


def _sha256(path: Path) -> str:
    with path.open("rb") as source:
        return hashlib.file_digest(source, "sha256").hexdigest()


def _walk(path: Path) -> Iterator[Path]:
    if path.is_file():
        yield path
    elif path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and not child.is_symlink():
                yield child


def _files(paths: Paths, keycloak_home: Path) -> list[Path]:
    found = [f for rel in KEPT for f in _walk(paths.state / rel)]
    data = keycloak_home / "data"
    found += [f for f in _walk(data) if f.relative_to(data).parts[0] not in SKIPPED_IN_DATA]
    return found


def _pulumi_busy(paths: Paths) -> list[Path]:
    locks = paths.state / "pulumi-backend" / ".pulumi" / "locks"
    return sorted(locks.rglob("*.json")) if locks.exists() else []


def default_output(paths: Paths, keycloak_version: str) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    return paths.state.parent / "trustcircle-backups" / f"trustcircle-{stamp}-keycloak-{keycloak_version}.tar.gz"


def create_backup(paths: Paths, *, keycloak_home: Path, server: LocalKeycloak | None,
                  output: Path | None = None, restart: bool = True) -> BackupReport:
    """Write one archive of the federation. ``server``, when given, is stopped for the copy and
    started again (unless not ``restart``); without it the caller has stopped the server (an
    upgrade does)."""
    version = keycloak_home.name.removeprefix("keycloak-")
    if not (keycloak_home / "data" / "h2").exists():
        raise ConfigurationError(f"no Keycloak database in {keycloak_home}",
                                 "start the local federation first (./run up): there is nothing to back up")
    if busy := _pulumi_busy(paths):
        raise ConfigurationError(
            f"a Pulumi operation holds the stack's lock ({busy[0].name}): its state is being written",
            "wait for it to end (or clear a dead one with ./run recover), then back up again")
    output = output or default_output(paths, version)
    if output.exists():
        raise ConfigurationError(f"{output} exists", "choose another --output; a backup is never overwritten")
    if output.resolve().is_relative_to(paths.state.resolve()):
        raise ConfigurationError(f"{output} is inside the state directory {paths.state}",
                                 "write the backup outside it (it would be backed up, and lost with it)")
    output.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    stopped_at = time.monotonic()
    # the whole local federation (its mail catcher too) stops for the copy, and starts again unless
    # the caller wants it left stopped
    was_running = server.down() if server is not None else False
    try:
        files = _files(paths, keycloak_home)
        entries = []
        for f in files:
            relative = (f.relative_to(paths.state) if f.is_relative_to(paths.state)
                        else Path("local") / keycloak_home.name / f.relative_to(keycloak_home))
            entries.append((f, relative.as_posix()))
        manifest = {
            "format": FORMAT,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "keycloak_version": version,
            "trustcircle": _trustcircle_version(),
            "pulumi_passphrase_included": (paths.state / "pulumi-passphrase").exists(),
            "files": {rel: {"sha256": _sha256(f), "size": f.stat().st_size} for f, rel in entries},
        }
        tmp = output.with_name(f".{output.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            body = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(body), 0o600, int(time.time())
            archive.addfile(info, io.BytesIO(body))
            for f, rel in entries:
                archive.add(f, arcname=f"{PREFIX}/{rel}", recursive=False)
        tmp.replace(output)
    finally:
        if server is not None and restart and was_running:
            server.up()
    downtime = round(time.monotonic() - stopped_at, 1) if was_running and restart else None
    return BackupReport(output, version, len(entries), output.stat().st_size, downtime)


def read_manifest(archive_path: Path) -> dict[str, object]:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            first = archive.next()
            if first is None or first.name != MANIFEST:
                raise ConfigurationError(f"{archive_path} is not a trustcircle backup (no {MANIFEST} first)",
                                         "give a file written by ./run backup")
            source = archive.extractfile(first)
            assert source is not None
            manifest: dict[str, object] = json.loads(source.read())
            return manifest
    except (tarfile.TarError, OSError, EOFError, json.JSONDecodeError) as err:
        raise ConfigurationError(f"{archive_path} cannot be read as a backup: {err}",
                                 "give a complete file written by ./run backup") from err


def restore_backup(archive_path: Path, paths: Paths) -> RestoreReport:
    """Restore into ``paths.state``, which must be empty or absent; nothing is written there
    unless every check passed."""
    state = paths.state
    if state.exists() and any(state.iterdir()):
        raise ConfigurationError(
            f"the state directory {state} is not empty",
            "restore into an empty directory: set TRUSTCIRCLE_STATE to a new path (or move the "
            "current state away first); a restore never merges into, or overwrites, a federation")
    manifest = read_manifest(archive_path)
    if manifest.get("format") != FORMAT:
        raise ConfigurationError(f"{archive_path} has backup format {manifest.get('format')!r}; this "
                                 f"trustcircle reads format {FORMAT}", "restore it with the trustcircle that wrote it")
    pinned = versions()["KEYCLOAK_VERSION"]
    taken = str(manifest.get("keycloak_version"))
    if taken != pinned:
        raise ConfigurationError(
            f"{archive_path} is a backup of Keycloak {taken}; this trustcircle pins Keycloak {pinned}",
            f"restore it with the trustcircle commit that pins {taken} (git log -p versions.env), then "
            "check out this one and run ./run up: it upgrades the restored federation in place")
    expected = manifest.get("files")
    if not isinstance(expected, dict):
        raise ConfigurationError(f"{archive_path}: the manifest lists no files", "the backup is damaged")
    staging = state.parent / f".{state.name}.restore-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True, mode=0o700)
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            members = [m for m in archive.getmembers() if m.name != MANIFEST]
            outside = [m.name for m in members if not m.name.startswith(f"{PREFIX}/") or not m.isfile()]
            if outside:
                raise ConfigurationError(f"{archive_path} holds entries a backup does not: {outside[:3]}",
                                         "the file was not written by ./run backup, or was altered")
            archive.extractall(staging, members=members, filter="data")
        root = staging / PREFIX
        got = {f.relative_to(root).as_posix(): f for f in _walk(root)}
        bad = sorted(rel for rel, meta in expected.items()
                     if rel not in got or _sha256(got[rel]) != dict(meta).get("sha256"))
        extra = sorted(set(got) - set(expected))
        if bad or extra:
            raise ConfigurationError(
                f"{archive_path} is damaged: {len(bad)} file(s) missing or changed"
                + (f" ({', '.join(bad[:3])})" if bad else "")
                + (f", {len(extra)} not in the manifest" if extra else ""),
                "restore from another copy of the backup; nothing was written")
        for directory in [root, *(p for p in root.rglob("*") if p.is_dir())]:
            directory.chmod(0o700)
        state.parent.mkdir(parents=True, exist_ok=True)
        if state.exists():
            state.rmdir()
        root.rename(state)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RestoreReport(state, taken, len(expected), str(manifest.get("created")))


def _trustcircle_version() -> str:
    from trustcircle.version import describe

    return describe()
