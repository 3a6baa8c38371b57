"""The identifiers the Python compiler writes are the ones the Java extension reads."""

from __future__ import annotations

import re

from trustcircle import ids
from trustcircle.settings import REPO_ROOT

JAVA = REPO_ROOT / "extensions/convention-gate/src/main/java/eu/trustcircle/keycloak/conventiongate/TrustcircleIds.java"


def _java_constants() -> dict[str, str]:
    return dict(re.findall(r'static final String (\w+) = "([^"]*)";', JAVA.read_text()))


def test_python_and_java_agree_on_the_convention_contract() -> None:
    java = _java_constants()
    assert java["PROVIDER_ID"] == ids.CONVENTION_GATE_PROVIDER_ID
    assert java["CLIENT_SERVICE"] == ids.SERVICE_ATTR
    assert java["CONVENTION_SERVICE"] == ids.CONVENTION_SERVICE_ATTR
    assert java["CONVENTION_STATUS"] == ids.CONVENTION_STATUS_ATTR
    assert java["CONVENTION_VALID_FROM"] == ids.CONVENTION_VALID_FROM_ATTR
    assert java["CONVENTION_VALID_UNTIL"] == ids.CONVENTION_VALID_UNTIL_ATTR
    assert java["STATUS_VERIFIED"] == "verified"
    assert java["SAML_HABILITATION_MAPPER"] == ids.SAML_HABILITATION_MAPPER
    assert java["OIDC_HABILITATION_MAPPER"] == ids.OIDC_HABILITATION_MAPPER
    assert java["HOME_HABILITATIONS"] == ids.HOME_HABILITATIONS_ATTR
    audit = (REPO_ROOT / "extensions/audit-listener/src/main/java/eu/trustcircle/keycloak/audit/"
             "AuditEventListenerProviderFactory.java").read_text()
    assert f'PROVIDER_ID = "{ids.AUDIT_LISTENER}"' in audit
    mail = (REPO_ROOT / "extensions/account-mail/src/main/java/eu/trustcircle/keycloak/accountmail/"
            "AccountMailListenerProviderFactory.java").read_text()
    assert f'PROVIDER_ID = "{ids.ACCOUNT_MAIL_LISTENER}"' in mail
    temporary = REPO_ROOT / "extensions/temporary-password/src/main/java/eu/trustcircle/keycloak/temporarypassword/"
    marker = (temporary / "TemporaryPasswordMarkerFactory.java").read_text()
    assert f'PROVIDER_ID = "{ids.TEMPORARY_PASSWORD_LISTENER}"' in marker
    expiry = (temporary / "TemporaryPasswordExpiryFactory.java").read_text()
    assert f'PROVIDER_ID = "{ids.TEMPORARY_PASSWORD_EXPIRY}"' in expiry
    assert f'PROVIDER_ID = "{ids.TEMPORARY_PASSWORD_EXPIRY_DIRECT_GRANT}"' in expiry
    assert f'ATTRIBUTE = "{ids.TEMPORARY_PASSWORD_ATTR}"' in (temporary / "TemporaryPassword.java").read_text()
    window = (REPO_ROOT / "extensions/convention-gate/src/main/java/eu/trustcircle/keycloak/conventiongate/"
              "ConventionWindowExecutor.java").read_text()
    assert f'PROVIDER_ID = "{ids.CONVENTION_WINDOW_EXECUTOR}"' in window
    source = (REPO_ROOT / "extensions/habilitation-mapper/src/main/java/eu/trustcircle/keycloak/habilitation/"
              "HabilitationSource.java").read_text()
    assert f'SERVICE_CLIENT = "{ids.SERVICE_CLIENT_ATTR}"' in source
    guard = (REPO_ROOT / "extensions/delegation-guard/src/main/java/eu/trustcircle/keycloak/delegation/"
             "HabilitationManagerScope.java").read_text()
    assert f'ADMINISTRATORS_GROUP = "{ids.ADMINISTRATORS_GROUP}"' in guard
    assert f'HABILITATION_MANAGERS_GROUP = "{ids.HABILITATION_MANAGERS_GROUP}"' in guard


def test_the_compiler_writes_the_convention_group_of_the_shared_contract() -> None:
    """extensions/contract/convention-group.json: the Java side decides from these attributes."""
    import json
    from zoneinfo import ZoneInfo

    from trustcircle.compiler.compile import _convention_group
    from trustcircle.model.loader import load_federation
    from trustcircle.model.schema import Amendment, Convention, MembershipForm

    contract = json.loads((REPO_ROOT / "extensions" / "contract" / "convention-group.json").read_text())
    c, f = contract["convention"], contract["form"]
    form = MembershipForm.model_validate(f)
    amendment = Amendment(number=c["amendment"], prepared_by="preparer@example", prepared_on="2025-12-01",
                          verified_by="verifier@example", verified_on="2025-12-02", forms=[form])
    convention = Convention(id=c["id"], organisation=c["organisation"], provider=c["provider"], managed_by="caf33",
                            status=c["status"], amendments=[amendment])
    provider = load_federation([REPO_ROOT / "realms"]).provider(c["provider"])
    group = _convention_group(provider, convention, c["amendment"], form, ZoneInfo(contract["timezone"]))
    assert group.spec["attributes"] == contract["group_attributes"]


def test_python_and_java_agree_on_the_consistency_contract() -> None:
    java = dict(re.findall(r'static final String (\w+) = "([^"]*)";', (
        REPO_ROOT / "extensions/consistency/src/main/java/eu/trustcircle/keycloak/consistency/ConsistencyIds.java"
    ).read_text()))
    assert java["ORGANISATION"] == ids.ORGANISATION_ATTR
    assert java["FEDERATION"] == ids.FEDERATION_ATTR
    assert java["RESUME_FIRST_SIGN_IN"] == ids.RESUME_FIRST_SIGN_IN


    assert java["ATTRIBUTES"] == ids.CONSISTENCY_ATTRIBUTES_CONFIG
    assert java["DISABLED"] == ids.CONSISTENCY_DISABLED_ATTR
    assert java["STATUS"] == ids.STATUS_ATTR
    assert java["SOURCE"] == ids.SOURCE_ATTR
    assert java["HOME_STATUS"] == ids.HOME_STATUS_ATTR
    assert java["RESOURCE_TYPE"] == ids.CONSISTENCY_RESOURCE_TYPE
    factory = (REPO_ROOT / "extensions/consistency/src/main/java/eu/trustcircle/keycloak/consistency/"
               "ConsistencyListenerProviderFactory.java").read_text()
    assert f'PROVIDER_ID = "{ids.CONSISTENCY_LISTENER}"' in factory
    resource = (REPO_ROOT / "extensions/consistency/src/main/java/eu/trustcircle/keycloak/consistency/"
                "AccountsResourceProviderFactory.java").read_text()
    assert f'PROVIDER_ID = "{ids.CONSISTENCY_RESOURCE}"' in resource
    mapper = (REPO_ROOT / "extensions/assurance/src/main/java/eu/trustcircle/keycloak/assurance/"
              "HomeAssuranceMapper.java").read_text()
    assert f'CEILING = "{ids.ASSURANCE_CEILING_CONFIG}"' in mapper


def test_python_and_java_agree_on_the_attestations() -> None:
    module = REPO_ROOT / "extensions/attestations/src/main/java/eu/trustcircle/keycloak/attestations"
    mapper = (module / "HabilitationAttestationMapper.java").read_text()
    assert f'PROVIDER_ID = "{ids.HABILITATION_ATTESTATION_MAPPER}"' in mapper
    assert f'SERVICE_CLIENT = "{ids.ATTESTATION_SERVICE_CLIENT_CONFIG}"' in mapper
    assert f'LIFETIME = "{ids.ATTESTATION_LIFETIME_CONFIG}"' in mapper
    entitlement = (module / "AttestationEntitlement.java").read_text()
    assert f'PROVIDER_ID = "{ids.ATTESTATION_ENTITLEMENT}"' in entitlement
    assert f'WALLET_ATTRIBUTE = "{ids.WALLET_ATTR}"' in entitlement
    resource = (module / "AttestationsResourceProviderFactory.java").read_text()
    assert f'PROVIDER_ID = "{ids.ATTESTATIONS_RESOURCE}"' in resource
