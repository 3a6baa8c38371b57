package eu.trustcircle.keycloak.attestations;

import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.Authenticator;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserVerifiableCredentialModel;

import eu.trustcircle.keycloak.habilitation.HabilitationSource;

/**
 * Authenticator {@value #PROVIDER_ID} of the provider's post-broker-login flow, after the
 * convention gate: when an agent signs in to a wallet (a client with {@code oid4vci.enabled}),
 * they are entitled to each habilitation attestation of the wallet's optional scopes whose
 * service their conventions grant now (Keycloak's "user verifiable credential", which its issuer
 * asks for), and no longer to one whose service they no longer hold. Always lets the sign-in on:
 * the attestation itself is refused without a convention ({@link HabilitationAttestationMapper}).
 */
public class AttestationEntitlement implements Authenticator {

    public static final String PROVIDER_ID = "trustcircle-attestation-entitlement";
    static final String WALLET_ATTRIBUTE = "oid4vci.enabled";

    @Override
    public void authenticate(AuthenticationFlowContext context) {
        ClientModel client = context.getAuthenticationSession().getClient();
        UserModel user = context.getUser();
        if (client != null && user != null && Boolean.parseBoolean(client.getAttribute(WALLET_ATTRIBUTE))) {
            entitle(context.getSession(), context.getRealm(), client, user);
        }
        context.success();
    }

    static void entitle(KeycloakSession session, RealmModel realm, ClientModel wallet, UserModel user) {
        wallet.getClientScopes(false).values().forEach(scope -> scope.getProtocolMappersStream()
                .filter(m -> HabilitationAttestationMapper.PROVIDER_ID.equals(m.getProtocolMapper()))
                .forEach(mapper -> {
                    ClientModel service = realm.getClientByClientId(
                            mapper.getConfig().get(HabilitationAttestationMapper.SERVICE_CLIENT));
                    boolean holds = service != null && !HabilitationSource.forClient(service, user).isEmpty();
                    update(session, user, scope, holds);
                }));
    }

    private static void update(KeycloakSession session, UserModel user, ClientScopeModel scope, boolean holds) {
        UserVerifiableCredentialModel held = session.users().getVerifiableCredentialByClientScope(user.getId(),
                scope.getId());
        if (holds && held == null) {
            session.users().addVerifiableCredential(user.getId(), new UserVerifiableCredentialModel(null, scope.getId()));
        } else if (!holds && held != null) {
            session.users().removeVerifiableCredential(user.getId(), scope.getId());
        }
    }

    @Override
    public void action(AuthenticationFlowContext context) {
        context.success();
    }

    @Override
    public boolean requiresUser() {
        return true;
    }

    @Override
    public boolean configuredFor(KeycloakSession session, RealmModel realm, UserModel user) {
        return true;
    }

    @Override
    public void setRequiredActions(KeycloakSession session, RealmModel realm, UserModel user) {
        // none
    }

    @Override
    public void close() {
        // nothing held
    }
}
