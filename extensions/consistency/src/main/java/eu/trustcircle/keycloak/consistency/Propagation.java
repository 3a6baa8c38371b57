package eu.trustcircle.keycloak.consistency;

import java.util.List;

import org.jboss.logging.Logger;
import org.keycloak.events.admin.AuthDetails;
import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/** Runs {@link AccessAccounts#follow} once the change at home is committed, in a transaction of its own. */
final class Propagation {

    private static final Logger LOG = Logger.getLogger("trustcircle.consistency");

    private Propagation() {
    }

    /** The root account {@code userId} of realm {@code realmId} changed (it still exists). */
    static void afterCommit(KeycloakSession session, String realmId, String userId, AuthDetails cause) {
        KeycloakSessionFactory factory = session.getKeycloakSessionFactory();
        session.getTransactionManager().enlistAfterCompletion(new AbstractKeycloakTransaction() {
            @Override
            protected void commitImpl() {
                run(factory, realmId, cause, s -> {
                    RealmModel realm = s.realms().getRealm(realmId);
                    UserModel user = realm == null ? null : s.users().getUserById(realm, userId);
                    return user == null ? null
                            : new Change(AccessAccounts.nameIds(user), AccessAccounts.home(realm, user));
                });
            }

            @Override
            protected void rollbackImpl() {
                // nothing changed at home
            }
        });
    }

    /** The root account is being deleted: {@code nameIds} are what it was known by at the providers. */
    static void afterDeletion(KeycloakSession session, String realmId, List<String> nameIds) {
        KeycloakSessionFactory factory = session.getKeycloakSessionFactory();
        session.getTransactionManager().enlistAfterCompletion(new AbstractKeycloakTransaction() {
            @Override
            protected void commitImpl() {
                run(factory, realmId, null, s -> new Change(nameIds, HomeAccount.deleted()));
            }

            @Override
            protected void rollbackImpl() {
                // the account was not deleted
            }
        });
    }

    record Change(List<String> nameIds, HomeAccount home) {
    }

    interface Reader {
        Change read(KeycloakSession session);
    }

    private static void run(KeycloakSessionFactory factory, String realmId, AuthDetails cause, Reader reader) {
        try {
            KeycloakModelUtils.runJobInTransaction(factory, s -> {
                RealmModel realm = s.realms().getRealm(realmId);
                String organisation = realm == null ? null : realm.getAttribute(ConsistencyIds.ORGANISATION);
                s.getContext().setRealm(realm);
                Change change = organisation == null ? null : reader.read(s);
                if (change != null && !change.nameIds().isEmpty()) {
                    AccessAccounts.follow(s, realm, organisation, change.nameIds(), change.home(), cause);
                }
            });
        } catch (RuntimeException e) {
            LOG.warnf(e, "trustcircle: access accounts of a root account of realm %s did not follow it now; "
                    + "trustcircle consistency sync will", realmId);
        }
    }
}
