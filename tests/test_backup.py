"""Backup and restore of the local federation's state (trustcircle/local/backup.py), on files.

The live half (the suite runs against a federation restored from a backup; the upgrade test
restores and refuses) is in scripts/test.sh and tests/upgrade/. Here: what is kept and what not,
and every refusal a damaged, foreign or misdirected restore meets, with nothing written.
"""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from trustcircle.errors import ConfigurationError
from trustcircle.local.backup import MANIFEST, create_backup, read_manifest, restore_backup
from trustcircle.settings import Paths, versions

PINNED = versions()["KEYCLOAK_VERSION"]


def _state(root: Path, version: str = PINNED) -> Paths:
    paths = Paths(cache=root / "cache", state=root / "state")
    home = paths.local / f"keycloak-{version}"
    files = {
        home / "data" / "h2" / "keycloakdb.mv.db": b"database",
        home / "data" / "password-blacklists" / "deny.txt": b"written by up",
        home / "lib" / "big.jar": b"the distribution",
        paths.local / "tls" / "ca-key.pem": b"ca key",
        paths.local / "admin.json": b'{"username": "tc-admin"}',
        paths.local / "keycloak.log": b"a log",
        paths.local / "mail" / "maildir" / "new" / "1": b"a one-time link",
        paths.audit_file: b'{"type": "LOGIN"}\n',
        paths.state / "pulumi-backend" / ".pulumi" / "stacks" / "trustcircle" / "local.json": b"{}",
        paths.state / "pulumi-passphrase": b"passphrase",
        paths.state / "pulumi-home" / "plugins" / "x": b"plugin cache",
    }
    for path, body in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    return paths


def _backup(tmp_path: Path, version: str = PINNED) -> tuple[Paths, Path]:
    paths = _state(tmp_path, version)
    report = create_backup(paths, keycloak_home=paths.local / f"keycloak-{version}", server=None,
                           output=tmp_path / "out" / "backup.tar.gz")
    return paths, report.path


def test_a_backup_keeps_what_the_federation_needs_and_nothing_else(tmp_path: Path) -> None:
    _, archive = _backup(tmp_path)
    assert archive.stat().st_mode & 0o777 == 0o600
    files = set(json.loads(json.dumps(read_manifest(archive)["files"])))
    assert files == {
        f"local/keycloak-{PINNED}/data/h2/keycloakdb.mv.db", "local/tls/ca-key.pem", "local/admin.json",
        "local/audit/events.jsonl", "pulumi-backend/.pulumi/stacks/trustcircle/local.json", "pulumi-passphrase"}


def test_restore_into_an_empty_directory_gives_the_same_files(tmp_path: Path) -> None:
    paths, archive = _backup(tmp_path)
    fresh = Paths(cache=paths.cache, state=tmp_path / "fresh" / "state")
    report = restore_backup(archive, fresh)
    assert report.files == 6
    for rel in read_manifest(archive)["files"]:  # type: ignore[attr-defined]
        assert (fresh.state / rel).read_bytes() == (paths.state / rel).read_bytes()
    assert fresh.state.stat().st_mode & 0o077 == 0


def test_restore_refuses_a_state_directory_that_is_not_empty(tmp_path: Path) -> None:
    paths, archive = _backup(tmp_path)
    with pytest.raises(ConfigurationError, match="is not empty"):
        restore_backup(archive, paths)
    assert (paths.local / "admin.json").read_bytes() == b'{"username": "tc-admin"}'


def test_restore_refuses_a_backup_of_another_keycloak_version(tmp_path: Path) -> None:
    _, archive = _backup(tmp_path, version="26.5.6")
    target = Paths(cache=tmp_path / "cache", state=tmp_path / "fresh")
    with pytest.raises(ConfigurationError, match=f"backup of Keycloak 26.5.6; this trustcircle pins Keycloak {PINNED}"):
        restore_backup(archive, target)
    assert not target.state.exists()


def _rewrite(archive: Path, change: str) -> Path:
    """A copy of the archive with one file's bytes changed, or one entry added outside state/."""
    out = archive.with_name(f"{change}.tar.gz")
    with tarfile.open(archive) as source, tarfile.open(out, "w:gz") as dest:
        for member in source.getmembers():
            body = source.extractfile(member)
            data = body.read() if body else b""
            if change == "altered" and member.name.endswith("ca-key.pem"):
                data = b"another key"
                member.size = len(data)
            dest.addfile(member, io.BytesIO(data))
        if change == "outside":
            info = tarfile.TarInfo("etc/cron.d/evil")
            info.size = 1
            dest.addfile(info, io.BytesIO(b"x"))
    return out


@pytest.mark.parametrize(("change", "message"),
                         [("altered", "damaged: 1 file"), ("outside", "entries a backup does not")])
def test_restore_refuses_a_damaged_or_foreign_archive_and_writes_nothing(
        tmp_path: Path, change: str, message: str) -> None:
    _, archive = _backup(tmp_path)
    target = Paths(cache=tmp_path / "cache", state=tmp_path / "fresh")
    with pytest.raises(ConfigurationError, match=message):
        restore_backup(_rewrite(archive, change), target)
    assert not target.state.exists()
    assert not list(tmp_path.glob(".fresh.restore-*"))


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    other = tmp_path / "other.tar.gz"
    with tarfile.open(other, "w:gz") as archive:
        info = tarfile.TarInfo("README")
        archive.addfile(info, io.BytesIO(b""))
    with pytest.raises(ConfigurationError, match=f"no {MANIFEST} first"):
        restore_backup(other, Paths(cache=tmp_path, state=tmp_path / "fresh"))


def test_a_backup_is_never_overwritten_nor_written_inside_the_state(tmp_path: Path) -> None:
    paths, archive = _backup(tmp_path)
    home = paths.local / f"keycloak-{PINNED}"
    with pytest.raises(ConfigurationError, match="exists"):
        create_backup(paths, keycloak_home=home, server=None, output=archive)
    with pytest.raises(ConfigurationError, match="inside the state directory"):
        create_backup(paths, keycloak_home=home, server=None, output=paths.state / "b.tar.gz")


def test_a_backup_waits_for_a_pulumi_operation_to_end(tmp_path: Path) -> None:
    paths = _state(tmp_path)
    lock = paths.state / "pulumi-backend" / ".pulumi" / "locks" / "trustcircle" / "local" / "x.json"
    lock.parent.mkdir(parents=True)
    lock.write_text("{}")
    with pytest.raises(ConfigurationError, match="holds the stack's lock"):
        create_backup(paths, keycloak_home=paths.local / f"keycloak-{PINNED}", server=None,
                      output=tmp_path / "b.tar.gz")
    assert not (tmp_path / "b.tar.gz").exists()
