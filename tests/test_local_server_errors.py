"""Bad machine states give one clear message (no Keycloak needed)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from trustcircle.errors import ConfigurationError, LocalServerError
from trustcircle.local.server import LocalConfig, LocalKeycloak
from trustcircle.processes import check_port_free
from trustcircle.settings import Paths


def test_busy_port_names_the_port_and_the_fix() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(LocalServerError) as caught:
            check_port_free("127.0.0.1", port)
    assert f"127.0.0.1:{port} is already in use" in str(caught.value)
    assert "TRUSTCIRCLE_KEYCLOAK_PORT" in caught.value.hint


def test_missing_distribution_says_how_to_get_it(tmp_path: Path) -> None:
    server = LocalKeycloak(Paths(cache=tmp_path / "cache", state=tmp_path / "state"), LocalConfig("127.0.0.1", 1, 2))
    with pytest.raises(ConfigurationError) as caught:
        server.up()
    assert "Keycloak distribution not found" in str(caught.value)
    assert "./run setup" in caught.value.hint


def test_invalid_port_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTCIRCLE_KEYCLOAK_PORT", "https")
    with pytest.raises(ConfigurationError):
        LocalConfig.from_env()
