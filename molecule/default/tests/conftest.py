"""The molecule scenario's verifier: testinfra checks of the host playbooks/site.yml converged."""

from __future__ import annotations

from tests.ansible.it_host import ca_bundle, it_home, it_server, it_vars

__all__ = ["ca_bundle", "it_home", "it_server", "it_vars"]  # fixtures, for the tests of this folder
