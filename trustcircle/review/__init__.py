"""Reports for auditors: who may access what, derived from realms/."""
