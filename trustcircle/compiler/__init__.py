"""The compiler: a pure, deterministic function from the model to the desired Keycloak state."""
