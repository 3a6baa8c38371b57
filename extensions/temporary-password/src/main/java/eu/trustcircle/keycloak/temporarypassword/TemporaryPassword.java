package eu.trustcircle.keycloak.temporarypassword;

import java.util.Optional;

import org.keycloak.credential.CredentialModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.credential.PasswordCredentialModel;

/**
 * What makes a password temporary, and when it expires.
 *
 * <p>Keycloak marks a temporary password only by the required action "update password", which an
 * administrator may also add to a password that was never temporary. So when an administrator sets
 * a temporary password, {@link TemporaryPasswordMarker} records that password, as
 * {@code <credential id>@<creation time>}, in the user attribute {@link #ATTRIBUTE}. The password is
 * temporary while the user's current password is that one and the required action is pending; it
 * expires {@code validityHours} after it was set. A new password (chosen by the user, set by an
 * administrator, or reset by mail) has another creation time, even where Keycloak keeps the
 * credential's id: the mark no longer applies.
 */
public final class TemporaryPassword {

    /** User attribute: the id of the password credential an administrator set as temporary. */
    public static final String ATTRIBUTE = "trustcircle.temporary-password";
    /** Event error when a login uses an expired temporary password. */
    public static final String ERROR_EXPIRED = "trustcircle_temporary_password_expired";
    /** Authenticator configuration key: hours a temporary password stays valid. */
    public static final String VALIDITY_HOURS = "validityHours";
    /** Validity when the execution has no configuration (the documents' 24 hours). */
    public static final int DEFAULT_VALIDITY_HOURS = 24;
    /** What the person is told. */
    public static final String MESSAGE = "Your temporary password has expired. Ask your administrator for a new one, "
            + "or use \"Forgot password\" to receive a link.";

    private TemporaryPassword() {
    }

    /** The user's current password credential, if any. */
    static Optional<CredentialModel> currentPassword(UserModel user) {
        return user.credentialManager().getStoredCredentialsByTypeStream(PasswordCredentialModel.TYPE).findFirst();
    }

    /** What {@link #ATTRIBUTE} holds for a password. */
    static String mark(CredentialModel password) {
        return password.getId() + "@" + password.getCreatedDate();
    }

    /** Whether the user's current password is the one an administrator set as temporary, still to be changed. */
    static boolean isTemporary(UserModel user, CredentialModel password) {
        return mark(password).equals(user.getFirstAttribute(ATTRIBUTE))
                && user.getRequiredActionsStream().anyMatch(UserModel.RequiredAction.UPDATE_PASSWORD.name()::equals);
    }

    /** Whether a temporary password created at {@code createdMillis} has expired at {@code nowMillis}. */
    static boolean expired(Long createdMillis, long nowMillis, int validityHours) {
        return createdMillis != null && nowMillis - createdMillis >= validityHours * 3_600_000L;
    }

    /** The configured validity, or the default when absent or not a positive number. */
    static int validityHours(String configured) {
        try {
            int hours = configured == null ? DEFAULT_VALIDITY_HOURS : Integer.parseInt(configured.trim());
            return hours > 0 ? hours : DEFAULT_VALIDITY_HOURS;
        } catch (NumberFormatException e) {
            return DEFAULT_VALIDITY_HOURS;
        }
    }
}
