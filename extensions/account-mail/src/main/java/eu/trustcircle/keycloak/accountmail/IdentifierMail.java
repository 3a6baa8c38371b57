package eu.trustcircle.keycloak.accountmail;

/**
 * The message that tells a person their identifier, and only that: the link to choose a password
 * travels in another message (Keycloak's "execute actions" e-mail), so one intercepted message
 * never gives both. Pure: built from plain values, so it is unit-tested without a server.
 */
public record IdentifierMail(String subject, String text, String html) {

    public static IdentifierMail of(String realmName, String firstName, String username, int linkHours) {
        String greeting = firstName == null || firstName.isBlank() ? "Hello," : "Hello " + firstName + ",";
        String subject = "Your identifier for " + realmName;
        String text = greeting + "\n\n"
                + "an account has been created for you in " + realmName + ".\n\n"
                + "Your identifier: " + username + "\n\n"
                + "For your security, the link to choose your password comes in a separate message. "
                + "It is valid for " + linkHours + " hours.\n";
        String html = "<p>" + escape(greeting) + "</p>"
                + "<p>an account has been created for you in " + escape(realmName) + ".</p>"
                + "<p>Your identifier: <strong>" + escape(username) + "</strong></p>"
                + "<p>For your security, the link to choose your password comes in a separate message. "
                + "It is valid for " + linkHours + " hours.</p>";
        return new IdentifierMail(subject, text, html);
    }

    static String escape(String value) {
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
