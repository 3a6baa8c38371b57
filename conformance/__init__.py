"""trustcircle's conformance suite: real SAML and OAuth flows against a live deployment."""
