package eu.trustcircle.keycloak.consistency;

import java.util.Locale;
import java.util.Optional;

/**
 * Whether an existing account at a provider is an agent's unfinished first sign-in, which the
 * agent's next sign-in from the same organisation may take over.
 *
 * <p>Keycloak opens an access account in two requests: the first-broker-login flow creates the
 * user, and the browser's next request ({@code /broker/after-first-broker-login}) links it to the
 * agent's identity at home and applies the identity provider's mappers. A browser whose connection
 * is cut between the two (a node restarting, a network failure, a closed tab) leaves an account
 * with the agent's name and no link; without this rule every later sign-in of that agent stops on
 * "user already exists", for good.
 *
 * <p>Only an account that nothing but that unfinished sign-in can have made is taken over: its
 * name is the one the identity provider gives this agent (the duplicate is on the username, which
 * is {@code <organisation>.<identifier at home>}, never on the e-mail), it lies in the
 * organisation's namespace, it is enabled, it is linked to no identity (of any organisation), it
 * holds no credential, belongs to no group and is no client's service account. Anything else is
 * somebody's account and is refused as before: one organisation's agent is never merged with
 * another account.
 */
public final class UnfinishedFirstSignIn {

    /** What Keycloak's {@code ExistingUserInfo} names the duplicate attribute when it is the username. */
    public static final String USERNAME = "username";

    /** What is known of the existing account. */
    public record Account(String username, boolean enabled, long links, long credentials, long groups,
                          boolean serviceAccount) {
    }

    private UnfinishedFirstSignIn() {
    }

    /**
     * @param alias the identity provider's alias (the organisation's id)
     * @param duplicateAttribute what Keycloak found taken ({@code username} or {@code email})
     * @return why the account is not an unfinished first sign-in of this organisation's agent, or
     *         empty when it is and may be taken over
     */
    public static Optional<String> refusal(String alias, String duplicateAttribute, Account account) {
        if (!USERNAME.equals(duplicateAttribute)) {
            return Optional.of("the " + duplicateAttribute + " is taken, not the username");
        }
        String namespace = alias.toLowerCase(Locale.ROOT) + ".";
        if (!account.username().toLowerCase(Locale.ROOT).startsWith(namespace)) {
            return Optional.of("the account is outside the organisation's namespace " + namespace);
        }
        if (account.serviceAccount()) {
            return Optional.of("the account is a client's service account");
        }
        if (account.links() > 0) {
            return Optional.of("the account is linked to " + account.links() + " identity(ies)");
        }
        if (account.credentials() > 0) {
            return Optional.of("the account holds " + account.credentials() + " credential(s)");
        }
        if (account.groups() > 0) {
            return Optional.of("the account belongs to " + account.groups() + " group(s)");
        }
        if (!account.enabled()) {
            return Optional.of("the account is disabled");
        }
        return Optional.empty();
    }
}
