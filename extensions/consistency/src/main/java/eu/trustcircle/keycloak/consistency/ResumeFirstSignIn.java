package eu.trustcircle.keycloak.consistency;

import java.util.Optional;

import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.authentication.authenticators.broker.AbstractIdpAuthenticator;
import org.keycloak.authentication.authenticators.broker.util.ExistingUserInfo;
import org.keycloak.authentication.authenticators.broker.util.SerializedBrokeredIdentityContext;
import org.keycloak.broker.provider.BrokeredIdentityContext;
import org.keycloak.events.Errors;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.services.messages.Messages;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * Authenticator {@value ConsistencyIds#RESUME_FIRST_SIGN_IN}, an alternative after Keycloak's
 * {@code idp-create-user-if-unique} in the provider's first-broker-login flow: when the agent's
 * access account exists but their first sign-in never finished ({@link UnfinishedFirstSignIn}),
 * the sign-in resumes on it, as a new account (the identity provider's mappers import it and the
 * link is made); any other existing account is refused as Keycloak refuses it, and the refusal is
 * an error event with the reason in the server log.
 */
public class ResumeFirstSignIn extends AbstractIdpAuthenticator {

    private static final Logger LOG = Logger.getLogger("trustcircle.consistency");
    /** Event detail on the login events of a sign-in that resumed an unfinished one. */
    static final String RESUMED = "trustcircle_resumed_first_sign_in";
    /** Keycloak's auth note for an account its first-broker-login flow opened (read at after-first-broker-login). */
    static final String REGISTERED_NEW_USER = "BROKER_REGISTERED_NEW_USER";

    @Override
    protected void authenticateImpl(AuthenticationFlowContext context, SerializedBrokeredIdentityContext serializedCtx,
                                    BrokeredIdentityContext brokerContext) {
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        String note = authSession.getAuthNote(EXISTING_USER_INFO);
        String alias = brokerContext.getIdpConfig().getAlias();
        if (note == null) {  // nothing was found taken: nothing to resume
            context.attempted();
            return;
        }
        ExistingUserInfo existing = ExistingUserInfo.deserialize(note);
        KeycloakSession session = context.getSession();
        RealmModel realm = context.getRealm();
        UserModel user = session.users().getUserById(realm, existing.getExistingUserId());
        Optional<String> refusal = user == null ? Optional.of("the account is gone")
                : UnfinishedFirstSignIn.refusal(alias, existing.getDuplicateAttributeName(), describe(session, realm, user));
        if (refusal.isPresent()) {
            LOG.warnf("realm %s: %s's sign-in from %s refused: %s %s exists and is not an unfinished first sign-in (%s)",
                    realm.getName(), brokerContext.getUsername(), alias, existing.getDuplicateAttributeName(),
                    existing.getDuplicateAttributeValue(), refusal.get());
            context.getEvent().user(existing.getExistingUserId())
                    .detail("existing_" + existing.getDuplicateAttributeName(), existing.getDuplicateAttributeValue())
                    .error(Errors.FEDERATED_IDENTITY_EXISTS);
            Response page = context.form()
                    .setError(Messages.FEDERATED_IDENTITY_EXISTS, existing.getDuplicateAttributeName(),
                            existing.getDuplicateAttributeValue())
                    .createErrorPage(Response.Status.CONFLICT);
            context.failureChallenge(AuthenticationFlowError.USER_CONFLICT, page);
            return;
        }
        LOG.infof("realm %s: %s's first sign-in from %s resumes on account %s, left unfinished",
                realm.getName(), brokerContext.getUsername(), alias, user.getUsername());
        // what Keycloak would have written on a new account, from what home says now
        if (brokerContext.getEmail() != null) {
            user.setEmail(brokerContext.getEmail());
        }
        if (brokerContext.getFirstName() != null) {
            user.setFirstName(brokerContext.getFirstName());
        }
        if (brokerContext.getLastName() != null) {
            user.setLastName(brokerContext.getLastName());
        }
        context.getEvent().detail(RESUMED, "true");
        context.setUser(user);
        // after-first-broker-login imports it as a new account: mappers, groups, REGISTER event
        authSession.setAuthNote(REGISTERED_NEW_USER, "true");
        context.success();
    }

    private static UnfinishedFirstSignIn.Account describe(KeycloakSession session, RealmModel realm, UserModel user) {
        return new UnfinishedFirstSignIn.Account(user.getUsername(), user.isEnabled(),
                session.users().getFederatedIdentitiesStream(realm, user).count(),
                user.credentialManager().getStoredCredentialsStream().count(),
                user.getGroupsCount(), user.getServiceAccountClientLink() != null);
    }

    @Override
    protected void actionImpl(AuthenticationFlowContext context, SerializedBrokeredIdentityContext serializedCtx,
                              BrokeredIdentityContext brokerContext) {
        // no form of its own
    }

    @Override
    public boolean requiresUser() {
        return false;
    }

    @Override
    public boolean configuredFor(KeycloakSession session, RealmModel realm, UserModel user) {
        return true;
    }
}
