package eu.trustcircle.keycloak.accountmail;

import java.util.Map;

import org.jboss.logging.Logger;
import org.keycloak.email.EmailException;
import org.keycloak.email.EmailSenderProvider;
import org.keycloak.events.Event;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.events.admin.OperationType;
import org.keycloak.events.admin.ResourceType;
import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * When an administrator creates an account (admin event USER CREATE), mails its identifier to the
 * person, once the creation is committed. Realms without SMTP settings, and people without an
 * e-mail address, get nothing. The message carries no secret.
 */
public class AccountMailListenerProvider implements EventListenerProvider {

    private static final Logger LOG = Logger.getLogger(AccountMailListenerProvider.class);
    private static final String USERS = "users/";

    private final KeycloakSession session;

    public AccountMailListenerProvider(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public void onEvent(Event event) {
        // sign-in events: nothing to mail
    }

    @Override
    public void onEvent(AdminEvent event, boolean includeRepresentation) {
        if (event.getResourceType() != ResourceType.USER || event.getOperationType() != OperationType.CREATE
                || event.getResourcePath() == null || !event.getResourcePath().startsWith(USERS)) {
            return;
        }
        RealmModel realm = session.realms().getRealm(event.getRealmId());
        String userId = event.getResourcePath().substring(USERS.length());
        UserModel user = realm == null ? null : session.users().getUserById(realm, userId);
        Map<String, String> smtp = realm == null ? Map.of() : realm.getSmtpConfig();
        if (user == null || user.getEmail() == null || smtp == null || smtp.get("host") == null) {
            return;
        }
        String name = realm.getDisplayName() == null ? realm.getName() : realm.getDisplayName();
        IdentifierMail mail = IdentifierMail.of(name, user.getFirstName(), user.getUsername(),
                Math.max(1, realm.getActionTokenGeneratedByAdminLifespan() / 3600));
        String address = user.getEmail();
        Map<String, String> config = Map.copyOf(smtp);
        EmailSenderProvider sender = session.getProvider(EmailSenderProvider.class);
        session.getTransactionManager().enlistAfterCompletion(new AbstractKeycloakTransaction() {
            @Override
            protected void commitImpl() {
                try {
                    sender.send(config, address, mail.subject(), mail.text(), mail.html());
                } catch (EmailException e) {
                    LOG.warnf("trustcircle: the identifier of a new account of realm %s was not mailed: %s",
                            realm.getName(), e.getMessage());
                }
            }

            @Override
            protected void rollbackImpl() {
                // the account was not created: nothing to tell anyone
            }
        });
    }

    @Override
    public void close() {
        // nothing held
    }
}
