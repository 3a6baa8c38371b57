"""The local server's upgrade decisions, on files (the live upgrade is tests/upgrade/): which
database is upgraded, what is refused before anything changes, and what the log says it took."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from trustcircle.errors import ConfigurationError, LocalServerError
from trustcircle.local.server import LocalKeycloak, _migration_seconds, built_for
from trustcircle.settings import Paths


def _server(tmp_path: Path, version: str = "26.7.3", extensions: Path | None = None) -> LocalKeycloak:
    return LocalKeycloak(Paths(cache=tmp_path / "cache", state=tmp_path / "state"), version=version,
                         extensions=extensions)


def _database(server: LocalKeycloak, version: str) -> Path:
    home = server.dir / f"keycloak-{version}"
    (home / "data" / "h2").mkdir(parents=True)
    return home


def _jar(folder: Path, name: str, built: str | None) -> Path:
    path = folder / name / "target" / f"trustcircle-{name}-0.1.0.jar"
    path.parent.mkdir(parents=True)
    manifest = "Manifest-Version: 1.0\n" + (f"Keycloak-Version: {built}\n" if built else "")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("META-INF/MANIFEST.MF", manifest)
    return path


def test_the_previous_version_s_database_is_the_one_upgraded(tmp_path: Path) -> None:
    server = _server(tmp_path)
    assert server.previous_install() is None
    old = _database(server, "26.5.6")
    assert server.previous_install() == old
    _database(server, "26.7.3")  # already upgraded: nothing to do
    assert server.previous_install() is None


def test_a_database_newer_than_the_pinned_version_is_refused(tmp_path: Path) -> None:
    server = _server(tmp_path)
    _database(server, "26.8.0")
    with pytest.raises(LocalServerError, match=r"newer than the pinned 26\.7\.3"):
        server.previous_install()


def test_databases_of_several_versions_are_refused(tmp_path: Path) -> None:
    server = _server(tmp_path)
    _database(server, "26.4.7")
    _database(server, "26.5.6")
    with pytest.raises(LocalServerError, match="several Keycloak versions"):
        server.previous_install()


def test_jars_built_for_another_keycloak_are_refused_before_anything_changes(tmp_path: Path) -> None:
    folder = tmp_path / "extensions"
    good = _jar(folder, "gate", "26.7.3")
    _jar(folder, "mapper", "26.5.6")
    _jar(folder, "audit", None)
    server = _server(tmp_path, extensions=folder)
    old = _database(server, "26.5.6")
    assert built_for(good) == "26.7.3"
    with pytest.raises(ConfigurationError, match="built for another Keycloak") as refused:
        server.up()
    assert "audit-0.1.0.jar (no Keycloak-Version)" in str(refused.value)
    assert "mapper-0.1.0.jar (26.5.6)" in str(refused.value) and "gate" not in str(refused.value)
    assert (old / "data" / "h2").exists()
    assert not (server.dir / "keycloak-26.7.3").exists()
    assert not (tmp_path / "trustcircle-backups").exists()


def test_the_migration_time_is_read_from_the_log() -> None:
    log = "\n".join([
        "2026-12-03 11:40:11,591 INFO  [io.quarkus] (main) Keycloak 26.7.3 on JVM started in 10.443s.",
        "2026-12-03 11:40:13,634 INFO  [org.keycloak...QuarkusJpaUpdaterProvider] (executor-thread-1) "
        "Updating database. Using changelog META-INF/jpa-changelog-master.xml",
        "2026-12-03 11:40:14,897 INFO  [org.keycloak...DefaultMigrationManager] Migrating older model to 26.6.1",
        "2026-12-03 11:40:18,335 INFO  [org.keycloak.migration.migrators.RealmMigration] migrated realm cnaf to 26.7.0",
        "2026-12-03 11:40:19,000 INFO  [x] something later",
    ])
    assert _migration_seconds(log) == 4.7
    assert _migration_seconds("2026-12-03 11:40:11,591 INFO started in 10s") is None
