"""The ``k8s`` stack's settings: the ``trustcircle:k8s`` object of the stack configuration, checked.

Every field has a default that suits a 30,000-agent production; ``Pulumi.k8s.yaml`` shows them. Secrets
are never here: the admin and database credentials are Kubernetes Secrets that the operator provides
(``adminSecret``, ``database.secret``), or that the stack makes from ``trustcircle:keycloakAdminPassword``
and ``trustcircle:databasePassword`` when those secret values are set (``pulumi config set --secret``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from trustcircle import ha
from trustcircle.errors import ConfigurationError
from trustcircle.k8s.sizing import Sizing, Workload, size
from trustcircle.settings import versions


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class WorkloadSettings(_Strict):
    """Overrides of the capacity model's assumptions (see trustcircle.k8s.sizing.Workload)."""

    agents: int = Field(30_000, gt=0)
    peak_share: float = Field(0.8, alias="peakShare", gt=0, le=1)
    peak_window_s: int = Field(1_800, alias="peakWindowSeconds", gt=0)
    peak_factor: float = Field(2.0, alias="peakFactor", ge=1)
    oidc_share: float = Field(0.5, alias="oidcShare", ge=0, le=1)
    access_token_lifespan_s: int = Field(300, alias="accessTokenLifespanSeconds", gt=0)
    api_calls_per_agent_hour: float = Field(2.0, alias="apiCallsPerAgentHour", ge=0)

    def workload(self) -> Workload:
        return Workload(**self.model_dump())


class KeycloakSettings(_Strict):
    """The Keycloak pods: image, clustering and the sizing model's knobs."""

    image: str = "registry.example.org/keycloak/keycloak"  # a mirror of the official image; tag = KEYCLOAK_VERSION
    prebuilt_image: bool = Field(False, alias="prebuiltImage")  # the image has the extension and `kc.sh build` done
    cache_stack: Literal["jdbc-ping", "kubernetes"] = Field(ha.CACHE_STACK, alias="cacheStack")
    min_replicas: int = Field(3, alias="minReplicas", ge=2)
    max_cpu_request_m: int = Field(2_000, alias="maxCpuRequestMillis", ge=500)
    memory_request_mib: int = Field(1_250, alias="memoryRequestMiB", ge=1_250)
    db_pool_size: int = Field(30, alias="dbPoolSize", ge=5)
    autoscale: bool = True
    # RollingUpdate (no downtime) when Keycloak allows it (same version, or a patch release it declares
    # compatible); Recreate for a minor or major upgrade, which Keycloak cannot run mixed with the old one.
    update_strategy: Literal["RollingUpdate", "Recreate"] = Field("RollingUpdate", alias="updateStrategy")


class DatabaseSettings(_Strict):
    """In-cluster PostgreSQL (one pod with a volume), or the operator's managed database."""

    mode: Literal["in-cluster", "external"] = "in-cluster"
    image: str = "registry.example.org/library/postgres"  # tag = POSTGRES_VERSION
    host: str = ""            # external only
    port: int = 5432
    name: str = "keycloak"
    secret: str = "trustcircle-database"  # noqa: S105 (a Secret's name; keys: username, password)
    storage: str = "20Gi"
    storage_class: str = Field("", alias="storageClass")
    egress_cidr: str = Field("0.0.0.0/0", alias="egressCidr")  # external only: where the database lives

    @model_validator(mode="after")
    def _external_needs_host(self) -> DatabaseSettings:
        if self.mode == "external" and not self.host:
            raise ValueError("database.mode external needs database.host")
        return self


class IngressSettings(_Strict):
    """The public entry: host name, TLS certificate and the ingress controller allowed to reach Keycloak."""

    hostname: str = "keycloak.example.org"
    class_name: str = Field("nginx", alias="className")
    controller_namespace: str = Field("ingress-nginx", alias="controllerNamespace")
    tls_secret: str = Field("trustcircle-tls", alias="tlsSecret")   # the operator's certificate, or cert-manager's
    cert_manager_issuer: str = Field("", alias="certManagerIssuer")  # a ClusterIssuer: cert-manager fills tlsSecret
    # the CA (key ca.crt) that issues partners' applications' client certificates (mutual TLS)
    client_ca_secret: str = Field("trustcircle-client-ca", alias="clientCaSecret")


class K8sSettings(_Strict):
    """The whole ``trustcircle:k8s`` object."""

    namespace: str = "trustcircle"
    admin_secret: str = Field("trustcircle-admin", alias="adminSecret")  # keys: username, password
    workload: WorkloadSettings = WorkloadSettings()
    keycloak: KeycloakSettings = KeycloakSettings()
    database: DatabaseSettings = DatabaseSettings()
    ingress: IngressSettings = IngressSettings()
    render_directory: str = Field("", alias="renderDirectory")  # manifests to files, no cluster touched
    realms_target: str = Field("", alias="realmsTarget")  # target description: apply realms/ once ready

    def sizing(self) -> Sizing:
        k = self.keycloak
        return size(self.workload.workload(), min_replicas=k.min_replicas, max_cpu_request_m=k.max_cpu_request_m,
                    memory_request_mib=k.memory_request_mib, db_pool_size=k.db_pool_size)

    def keycloak_image(self) -> str:
        return f"{self.keycloak.image}:{versions()['KEYCLOAK_VERSION']}"

    def postgres_image(self) -> str:
        return f"{self.database.image}:{versions()['POSTGRES_VERSION']}"


def parse(raw: dict[str, Any] | None) -> K8sSettings:
    """``trustcircle:k8s`` checked; a mistake names its key path and says how to fix it."""
    try:
        return K8sSettings.model_validate(raw or {})
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "trustcircle:k8s"
        raise ConfigurationError(f"trustcircle:k8s.{where}: {first['msg']}",
                                 "fix the stack configuration (Pulumi.k8s.yaml); docs/kubernetes.md lists the keys"
                                 ) from None
