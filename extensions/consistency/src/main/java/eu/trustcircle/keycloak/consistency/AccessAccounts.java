package eu.trustcircle.keycloak.consistency;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jboss.logging.Logger;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.events.admin.AuthDetails;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.FederatedIdentityModel;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * Finds an agent's access accounts at the providers of their federation and makes each follow the
 * root account ({@link Reconciliation}). An access account is the provider realm's user linked to
 * the organisation's identity provider (alias = the organisation's id) under the persistent NameID
 * the organisation's realm gave the provider: never an e-mail or a name.
 */
final class AccessAccounts {

    private static final Logger LOG = Logger.getLogger("trustcircle.consistency");

    private AccessAccounts() {
    }

    /** The NameIDs a root account was given, one per SAML client of its realm (the providers among them). */
    static List<String> nameIds(UserModel home) {
        List<String> ids = new ArrayList<>();
        home.getAttributes().forEach((name, values) -> {
            if (name.startsWith(ConsistencyIds.PERSISTENT_NAME_ID_PREFIX) && values != null) {
                ids.addAll(values);
            }
        });
        return ids;
    }

    static HomeAccount home(RealmModel realm, UserModel user) {
        Map<String, String> values = new HashMap<>();
        putIfSet(values, "firstName", user.getFirstName());
        putIfSet(values, "lastName", user.getLastName());
        putIfSet(values, "email", user.getEmail());
        putIfSet(values, "addressLine1", user.getFirstAttribute("addressLine1"));
        putIfSet(values, "addressLine2", user.getFirstAttribute("addressLine2"));
        values.put(ConsistencyIds.SOURCE, HomeAccount.sourceOf(realm.getName()));
        String status = HomeAccount.statusOf(user.isEnabled(), user.getFirstAttribute(ConsistencyIds.HOME_STATUS));
        return new HomeAccount(true, status, values);
    }

    private static void putIfSet(Map<String, String> values, String name, String value) {
        if (value != null && !value.isEmpty()) {
            values.put(name, value);
        }
    }

    static AccessAccount access(UserModel user) {
        Map<String, String> values = new HashMap<>();
        putIfSet(values, "firstName", user.getFirstName());
        putIfSet(values, "lastName", user.getLastName());
        putIfSet(values, "email", user.getEmail());
        for (String name : List.of("addressLine1", "addressLine2", ConsistencyIds.STATUS, ConsistencyIds.SOURCE)) {
            putIfSet(values, name, user.getFirstAttribute(name));
        }
        return new AccessAccount(user.isEnabled(), user.getFirstAttribute(ConsistencyIds.DISABLED), values);
    }

    /**
     * Makes every access account of the agent {@code nameIds} of organisation {@code organisation}
     * (realm {@code homeRealm}) follow {@code home}; {@code cause}: who changed the root account.
     * Returns how many access accounts changed.
     */
    static int follow(KeycloakSession session, RealmModel homeRealm, String organisation, List<String> nameIds,
            HomeAccount home, AuthDetails cause) {
        String federation = homeRealm.getAttribute(ConsistencyIds.FEDERATION);
        int changed = 0;
        for (RealmModel provider : (Iterable<RealmModel>) session.realms().getRealmsStream()::iterator) {
            if (provider.getId().equals(homeRealm.getId()) || federation == null
                    || !federation.equals(provider.getAttribute(ConsistencyIds.FEDERATION))) {
                continue;
            }
            IdentityProviderModel idp = identityProvider(session, provider, organisation);
            if (idp == null) {
                continue;
            }
            List<String> synchronised = synchronised(idp);
            RealmModel before = session.getContext().getRealm();
            session.getContext().setRealm(provider);
            try {
                for (String nameId : nameIds) {
                    UserModel access = session.users().getUserByFederatedIdentity(provider,
                            new FederatedIdentityModel(organisation, nameId, null));
                    if (access != null && apply(session, provider, access, home, synchronised, cause)) {
                        changed++;
                    }
                }
            } finally {
                session.getContext().setRealm(before);
            }
        }
        return changed;
    }

    static List<String> synchronised(IdentityProviderModel idp) {
        String list = idp.getConfig() == null ? null : idp.getConfig().get(ConsistencyIds.ATTRIBUTES);
        return list == null || list.isBlank() ? List.of() : Arrays.stream(list.split(",")).map(String::trim).toList();
    }

    /** The provider realm's identity provider for {@code organisation}, if it is trustcircle's. */
    static IdentityProviderModel identityProvider(KeycloakSession session, RealmModel provider, String organisation) {
        RealmModel before = session.getContext().getRealm();
        try {
            session.getContext().setRealm(provider);
            IdentityProviderModel idp = session.identityProviders().getByAlias(organisation);
            boolean ours = idp != null && idp.getConfig() != null
                    && organisation.equals(idp.getConfig().get(ConsistencyIds.ORGANISATION));
            return ours ? idp : null;
        } finally {
            session.getContext().setRealm(before);
        }
    }

    private static boolean apply(KeycloakSession session, RealmModel provider, UserModel user, HomeAccount home,
            List<String> synchronised, AuthDetails cause) {
        Reconciliation plan = Reconciliation.of(home, access(user), synchronised);
        if (!plan.changes()) {
            return false;
        }
        plan.set().forEach((name, value) -> write(user, name, value));
        if (plan.disabledBy() != null) {
            write(user, ConsistencyIds.DISABLED, plan.disabledBy());
        }
        if (plan.enable() != null) {
            user.setEnabled(plan.enable());
        }
        if (plan.endSessions()) {
            session.sessions().removeUserSessions(provider, user);
            session.sessions().getOfflineUserSessionsStream(provider, user).toList()
                    .forEach(s -> session.sessions().removeOfflineUserSession(provider, s));
        }
        LOG.infof("access account %s of realm %s follows its root account (%s): %s", user.getUsername(),
                provider.getName(), home.status(), describe(plan));
        audit(session, provider, user, plan, cause);
        return true;
    }

    private static void write(UserModel user, String name, String value) {
        switch (name) {
            case "firstName" -> user.setFirstName(value.isEmpty() ? null : value);
            case "lastName" -> user.setLastName(value.isEmpty() ? null : value);
            case "email" -> user.setEmail(value.isEmpty() ? null : value);
            default -> {
                if (value.isEmpty()) {
                    user.removeAttribute(name);
                } else {
                    user.setSingleAttribute(name, value);
                }
            }
        }
    }

    static String describe(Reconciliation plan) {
        List<String> parts = new ArrayList<>();
        if (plan.enable() != null) {
            parts.add(plan.enable() ? "enabled" : "disabled (" + plan.disabledBy() + ")");
        }
        if (plan.endSessions()) {
            parts.add("sessions ended");
        }
        if (!plan.set().isEmpty()) {
            parts.add("attributes " + String.join(",", plan.set().keySet()));
        }
        return String.join("; ", parts);
    }

    /** An admin event of the provider realm, for its listeners (the audit trail). */
    private static void audit(KeycloakSession session, RealmModel provider, UserModel user, Reconciliation plan,
            AuthDetails cause) {
        AdminEvent event = new AdminEvent();
        event.setId(UUID.randomUUID().toString());
        event.setTime(System.currentTimeMillis());
        event.setRealmId(provider.getId());
        event.setRealmName(provider.getName());
        event.setOperationType(OperationType.UPDATE);
        event.setResourceTypeAsString(ConsistencyIds.RESOURCE_TYPE);
        event.setResourcePath("users/" + user.getId());
        event.setAuthDetails(cause);
        event.setDetails(Map.of("change", describe(plan), "username", user.getUsername()));
        provider.getEventsListenersStream().forEach(id -> {
            EventListenerProvider listener = session.getProvider(EventListenerProvider.class, id);
            if (listener != null && !ConsistencyListenerProviderFactory.PROVIDER_ID.equals(id)) {
                listener.onEvent(event, false);
            }
        });
    }
}
