"""The TLS Keycloak offers, in every deployment path (local server, Ansible role): TLS 1.3 and 1.2
only, and for 1.2 only forward-secret AEAD suites (ECDHE with AES-GCM or ChaCha20-Poly1305), as
ANSSI's TLS guide (2020) and IBR-041 ask. Clients may present a certificate (mutual TLS for
applications, RFC 8705); browsers are not required to."""

PROTOCOLS = ("TLSv1.3", "TLSv1.2")
CIPHER_SUITES = (
    "TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
)
# the TLS 1.2 suites above as OpenSSL names them (an nginx ingress in front of Keycloak); TLS 1.3's
# suites are all AEAD and forward-secret, OpenSSL's defaults
OPENSSL_TLS12 = {
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384": "ECDHE-ECDSA-AES256-GCM-SHA384",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384": "ECDHE-RSA-AES256-GCM-SHA384",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256": "ECDHE-ECDSA-AES128-GCM-SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": "ECDHE-RSA-AES128-GCM-SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256": "ECDHE-ECDSA-CHACHA20-POLY1305",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256": "ECDHE-RSA-CHACHA20-POLY1305",
}
# how often Keycloak re-reads its certificate and key files (Keycloak's minimum is just over 30 s):
# a certificate renewed in place is served within this period, with no restart
CERTIFICATES_RELOAD_PERIOD = "1m"
CLIENT_AUTH = "request"  # Keycloak's https-client-auth: a certificate is asked for, never demanded


def keycloak_options() -> dict[str, str]:
    """The Keycloak options that carry this policy."""
    return {"https-protocols": ",".join(PROTOCOLS), "https-cipher-suites": ",".join(CIPHER_SUITES),
            "https-client-auth": CLIENT_AUTH, "https-certificates-reload-period": CERTIFICATES_RELOAD_PERIOD}


def openssl_ciphers() -> str:
    """The TLS 1.2 suites of ``CIPHER_SUITES`` in OpenSSL's cipher-list syntax."""
    return ":".join(OPENSSL_TLS12[name] for name in CIPHER_SUITES if name in OPENSSL_TLS12)
