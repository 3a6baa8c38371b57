"""kcwarden on the deployed provider realm: no finding of medium or higher severity on the
web-service clients (partners' applications), none excused without a reason in the docs."""

from __future__ import annotations

from trustcircle.compiler.services import APPLICATION_CLIENT_PREFIX as APPLICATIONS
from trustcircle.keycloak.admin import Admin
from trustcircle.policy import kcwarden


def test_no_medium_or_higher_finding_on_the_application_clients(admin: Admin) -> None:
    findings = kcwarden.audit(admin, "cnaf", "MEDIUM")
    assert findings, "kcwarden found nothing at all: is it auditing the realm?"  # the built-in clients give some
    about_applications = [f for f in kcwarden.audit(admin, "cnaf", "LOW") if kcwarden.about(f, APPLICATIONS)]
    assert kcwarden.unexcused(findings, APPLICATIONS) == [], [
        (f["reporting_auditor"], f["entity"], f["short_description"]) for f in findings]
    assert all(f["severity"] == "Low" for f in about_applications), about_applications
