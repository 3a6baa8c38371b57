package eu.trustcircle.keycloak.assurance;

import java.util.List;

import org.keycloak.broker.provider.AbstractIdentityProviderMapper;
import org.keycloak.broker.provider.BrokeredIdentityContext;
import org.keycloak.broker.oidc.OIDCIdentityProvider;
import org.keycloak.broker.saml.SAMLEndpoint;
import org.keycloak.dom.saml.v2.assertion.AuthnStatementType;
import org.keycloak.models.IdentityProviderMapperModel;
import org.keycloak.models.IdentityProviderSyncMode;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.representations.IDToken;

/**
 * At a provider, on every login brokered from an organisation: the level of assurance the
 * organisation asserted (SAML: its AuthnContextClassRef; OpenID Connect: the ID token's {@code acr}),
 * read through the realm's levels, goes into the login's notes ({@link Levels#ASSERTED}); an
 * unknown or missing reference counts as no level.
 * The assurance gate compares it with what the e-service needs.
 */
public class HomeAssuranceMapper extends AbstractIdentityProviderMapper {

    /** Provider id, as provisioning names it on each SAML identity provider. */
    public static final String PROVIDER_ID = "trustcircle-home-assurance";
    /**
     * Mapper configuration: the highest level the organisation's identities are good enough for
     * (their quality of authentication); an organisation asserting more is taken at this level.
     */
    public static final String CEILING = "ceiling";
    /** Level recorded when the organisation asserts none the federation knows. */
    static final String NONE = "-1";

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String[] getCompatibleProviders() {
        return new String[] {"saml", "oidc", "keycloak-oidc"};
    }

    @Override
    public boolean supportsSyncMode(IdentityProviderSyncMode syncMode) {
        return true;
    }

    @Override
    public String getDisplayCategory() {
        return "Preprocessor";
    }

    @Override
    public String getDisplayType() {
        return "trustcircle: level of assurance asserted";
    }

    @Override
    public String getHelpText() {
        return "Records the level of assurance the organisation asserted (AuthnContextClassRef) for the assurance gate.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        ProviderConfigProperty ceiling = new ProviderConfigProperty(CEILING, "Highest level",
                "The highest level of assurance this organisation's identities may assert (empty: no limit).",
                ProviderConfigProperty.STRING_TYPE, null);
        return List.of(ceiling);
    }

    /** {@code asserted}, at most {@code ceiling} (a number; none or unreadable: no limit). */
    static int capped(int asserted, String ceiling) {
        if (ceiling == null || ceiling.isBlank()) {
            return asserted;
        }
        try {
            return Math.min(asserted, Integer.parseInt(ceiling.trim()));
        } catch (NumberFormatException e) {
            return 0;  // an unreadable ceiling grants nothing
        }
    }

    static String classRef(BrokeredIdentityContext context) {
        if (context.getContextData().get(OIDCIdentityProvider.VALIDATED_ID_TOKEN) instanceof IDToken token) {
            return token.getAcr();
        }
        Object statement = context.getContextData().get(SAMLEndpoint.SAML_AUTHN_STATEMENT);
        if (!(statement instanceof AuthnStatementType authn) || authn.getAuthnContext() == null
                || authn.getAuthnContext().getSequence() == null
                || authn.getAuthnContext().getSequence().getClassRef() == null) {
            return null;
        }
        return String.valueOf(authn.getAuthnContext().getSequence().getClassRef().getValue());
    }

    @Override
    public void preprocessFederatedIdentity(KeycloakSession session, RealmModel realm,
            IdentityProviderMapperModel mapperModel, BrokeredIdentityContext context) {
        String level = Levels.of(realm).level(classRef(context))
                .map(asserted -> capped(asserted, mapperModel.getConfig().get(CEILING)))
                .map(String::valueOf).orElse(NONE);
        context.getAuthenticationSession().setClientNote(Levels.ASSERTED, level);
    }
}
