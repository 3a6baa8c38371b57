"""Supervision of the federation's use (dashboards and alerts for administrators at national,
local and partner level): the events store and its ingest."""
