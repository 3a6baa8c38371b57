"""The declarative model of a federation: what ``realms/`` contains."""
