"""The ``k8s`` stack: a highly available Keycloak cluster on Kubernetes, sized from Keycloak's published
figures, with the federation in ``realms/`` applied by the same components as the local stack."""
