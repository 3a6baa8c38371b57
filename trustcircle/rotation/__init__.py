"""Day-2 rotation without an outage: realm keys (``keys``, ``links``, ``phases``) and the local CA's
certificates (``certificates``). docs/rotation.md is the runbook."""
