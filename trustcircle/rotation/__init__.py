"""Day-2 rotation without an outage: a realm's keys as Keycloak holds them (``keys``), the writes of
each phase (``phases``), who reads the keys and how they are refreshed (``links``), a rotation over
the federation (``rotate``) and the command line (``commands``, also ``rotate certificates``, whose
work is ``trustcircle.local.renewal``). docs/rotation.md is the runbook."""
