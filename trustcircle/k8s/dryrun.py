"""A throw-away Kubernetes API server (etcd + kube-apiserver on loopback ports) for a server-side dry
run of the rendered manifests: the server's own validation, defaulting and admission (Pod Security
"restricted" included) without a cluster. Only the namespace is really created; nothing runs.

``scripts/toolchain/kube-apiserver.sh ensure`` provides the binaries; both processes are started here,
in a temporary directory, and stopped by their own process ids when the ``with`` block ends.
"""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import urllib3

from trustcircle.errors import ConfigurationError

PLURALS = {"Namespace": "namespaces", "Secret": "secrets", "ConfigMap": "configmaps", "Service": "services",
           "ServiceAccount": "serviceaccounts", "Deployment": "deployments", "StatefulSet": "statefulsets",
           "PodDisruptionBudget": "poddisruptionbudgets", "HorizontalPodAutoscaler": "horizontalpodautoscalers",
           "NetworkPolicy": "networkpolicies", "Ingress": "ingresses"}
READY_TIMEOUT_S = 60
TOKEN = "dry-run-only"  # noqa: S105 (a token of a throw-away loopback server)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ApiServer:
    """A running throw-away API server: ``url`` and the processes to stop."""

    url: str
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> requests.Response:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
            return requests.request(method, self.url + path, json=body, timeout=30,
                                    headers={"Authorization": f"Bearer {TOKEN}"},
                                    verify=False)  # noqa: S501 (its certificate is self-signed, on loopback)

    def path(self, doc: dict[str, Any]) -> str:
        api, kind = doc["apiVersion"], doc["kind"]
        if kind not in PLURALS:
            raise ConfigurationError(f"the dry run does not know the kind {kind}", "add it to PLURALS")
        prefix = f"/api/{api}" if "/" not in api else f"/apis/{api}"
        ns = doc["metadata"].get("namespace")
        if ns and kind != "Namespace":
            return f"{prefix}/namespaces/{ns}/{PLURALS[kind]}"
        return f"{prefix}/{PLURALS[kind]}"

    def dry_run(self, doc: dict[str, Any]) -> tuple[int, str, list[str]]:
        """Create ``doc`` with dryRun=All and strict field validation: (status, message, warnings)."""
        response = self.request("POST", self.path(doc) + "?dryRun=All&fieldValidation=Strict", doc)
        warnings = [w for w in response.headers.get("Warning", "").split(", ") if w]
        message = "" if response.ok else response.json().get("message", response.text)
        return response.status_code, message, warnings


def _wait_ready(server: ApiServer, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in server.processes):
            break
        try:
            if server.request("GET", "/readyz").text == "ok":
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise ConfigurationError(f"the throw-away API server did not get ready in {READY_TIMEOUT_S} s",
                             f"read its log: {log}")


def _keys(work: Path) -> None:
    subprocess.run(["openssl", "genrsa", "-out", str(work / "sa.key"), "2048"], check=True, capture_output=True)
    subprocess.run(["openssl", "rsa", "-in", str(work / "sa.key"), "-pubout", "-out", str(work / "sa.pub")],
                   check=True, capture_output=True)
    (work / "tokens.csv").write_text(f"{TOKEN},dry-run,dry-run,system:masters\n")


@contextmanager
def api_server(bindir: Path) -> Iterator[ApiServer]:
    """etcd and kube-apiserver from ``bindir``, on free loopback ports, stopped on exit."""
    with tempfile.TemporaryDirectory(prefix="trustcircle-apiserver-") as tmp:
        work = Path(tmp)
        _keys(work)
        etcd_port, peer_port, api_port = _free_port(), _free_port(), _free_port()
        server = ApiServer(url=f"https://127.0.0.1:{api_port}")
        log = work / "apiserver.log"
        try:
            with log.open("wb") as out:
                server.processes.append(subprocess.Popen(
                    [str(bindir / "etcd"), "--data-dir", str(work / "etcd"),
                     "--listen-client-urls", f"http://127.0.0.1:{etcd_port}",
                     "--advertise-client-urls", f"http://127.0.0.1:{etcd_port}",
                     "--listen-peer-urls", f"http://127.0.0.1:{peer_port}"], stdout=out, stderr=out))
                server.processes.append(subprocess.Popen(
                    [str(bindir / "kube-apiserver"), f"--etcd-servers=http://127.0.0.1:{etcd_port}",
                     "--service-account-issuer=https://kubernetes.default.svc",
                     f"--service-account-key-file={work / 'sa.pub'}",
                     f"--service-account-signing-key-file={work / 'sa.key'}",
                     f"--cert-dir={work / 'certs'}", f"--secure-port={api_port}", "--bind-address=127.0.0.1",
                     "--advertise-address=127.0.0.1", "--authorization-mode=AlwaysAllow",
                     f"--token-auth-file={work / 'tokens.csv'}", "--service-cluster-ip-range=10.96.0.0/24",
                     # no controller manager makes the namespaces' default service accounts
                     "--disable-admission-plugins=ServiceAccount"],
                    stdout=out, stderr=out))
            _wait_ready(server, log)
            yield server
        finally:
            for process in reversed(server.processes):
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)
