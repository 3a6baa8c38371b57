"""The local federation's mail catcher: a real SMTP server (aiosmtpd) on 127.0.0.1 that requires
STARTTLS with the local CA's certificate and keeps every message in a Maildir, where tests and
people read what Keycloak sent (account identifiers, password set-up and reset links).

Keycloak reaches it with TLS verification on: the certificate is the local server's own, issued by
the CA Keycloak already trusts (``truststore-paths``).
"""

from __future__ import annotations

import mailbox
import os
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from trustcircle.errors import LocalServerError
from trustcircle.local.ca import TlsFiles
from trustcircle.processes import alive, check_port_free, recorded_pid, stop_recorded

START_TIMEOUT_S = 20
STOP_TIMEOUT_S = 10
SENDER = "no-reply@trustcircle.localhost"


@dataclass(frozen=True)
class MailCatcher:
    directory: Path  # holds the pid file, the log and the Maildir
    host: str
    port: int

    @property
    def maildir(self) -> Path:
        return self.directory / "maildir"

    @property
    def pid_file(self) -> Path:
        return self.directory / "smtp.pid"

    def smtp_settings(self) -> dict[str, str]:
        """The realm SMTP settings that send through this catcher (Keycloak's ``smtpServer``)."""
        return {"host": self.host, "port": str(self.port), "from": SENDER, "fromDisplayName": "trustcircle (local)",
                "starttls": "true", "ssl": "false", "auth": "false"}

    def up(self, tls: TlsFiles) -> None:
        """Start when not running (idempotent); wait until it accepts connections."""
        if self.pid() is not None and self._accepts():
            return
        self.down()  # a catcher of ours that stopped answering
        check_port_free(self.host, self.port)
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        mailbox.Maildir(self.maildir, create=True)  # with its cur/, new/ and tmp/ folders
        command = [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"{self.host}:{self.port}",
                   "-c", "aiosmtpd.handlers.Mailbox", "--tlscert", str(tls.server_cert),
                   "--tlskey", str(tls.server_key), str(self.maildir)]
        # spawned, not a Popen object: a daemon that outlives this process and is never waited for
        with (self.directory / "smtp.log").open("ab") as log, open(os.devnull, "rb") as null:
            pid = os.posix_spawn(sys.executable, command, dict(os.environ), setsid=True, file_actions=[
                (os.POSIX_SPAWN_DUP2, null.fileno(), 0), (os.POSIX_SPAWN_DUP2, log.fileno(), 1),
                (os.POSIX_SPAWN_DUP2, log.fileno(), 2)])
        self.pid_file.write_text(str(pid))
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if not alive(pid):
                self.pid_file.unlink(missing_ok=True)
                raise LocalServerError("the mail catcher exited during start-up",
                                       f"read {self.directory / 'smtp.log'}; is port {self.port} free?")
            if self._accepts():
                return
            time.sleep(0.2)
        self.down()
        raise LocalServerError(f"the mail catcher did not listen on {self.host}:{self.port} in {START_TIMEOUT_S} s",
                               f"read {self.directory / 'smtp.log'}")

    def down(self) -> bool:
        return stop_recorded(self.pid_file, STOP_TIMEOUT_S)

    def pid(self) -> int | None:
        return recorded_pid(self.pid_file)

    def messages_to(self, address: str) -> list[mailbox.MaildirMessage]:
        """Messages received for ``address``, oldest first."""
        if not self.maildir.exists():
            return []
        found = [m for m in mailbox.Maildir(self.maildir, create=False)
                 if address.lower() in str(m.get("To", "")).lower()]
        return sorted(found, key=lambda m: m.get_date())

    def _accepts(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=1):
                return True
        except OSError:
            return False
