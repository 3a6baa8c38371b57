"""Pulumi components and the dynamic provider that applies Keycloak objects."""
