"""The consistency checker: access accounts at the providers follow their root account at home.

``rules`` decides (the same rules as the extension's listener, checked against shared vectors),
``accounts`` reads both sides through the admin API (paged), ``checker`` reports and applies,
``snapshot`` saves the initial values before the first synchronisation and restores them.
"""
