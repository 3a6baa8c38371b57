"""trustcircle: federated circles of trust for public-sector agents, as code, on Keycloak."""

__version__ = "0.1.0"
