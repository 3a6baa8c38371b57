"""Applying the desired state to a Keycloak server through its admin REST API (python-keycloak)."""
