package eu.trustcircle.keycloak.habilitation;

import java.util.ArrayList;
import java.util.List;

import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.oidc.mappers.AbstractOIDCProtocolMapper;
import org.keycloak.protocol.oidc.mappers.OIDCAccessTokenMapper;
import org.keycloak.protocol.oidc.mappers.OIDCAttributeMapperHelper;
import org.keycloak.protocol.oidc.mappers.OIDCIDTokenMapper;
import org.keycloak.protocol.oidc.mappers.TokenIntrospectionTokenMapper;
import org.keycloak.protocol.oidc.mappers.UserInfoTokenMapper;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.representations.IDToken;

import eu.trustcircle.keycloak.conventiongate.TrustcircleIds;

/**
 * OIDC claim (a JSON array) with the habilitations of the agent for the client's service: see
 * {@link Habilitations}. The claim is left out when there are none.
 */
public class HabilitationOidcMapper extends AbstractOIDCProtocolMapper
        implements OIDCAccessTokenMapper, OIDCIDTokenMapper, UserInfoTokenMapper, TokenIntrospectionTokenMapper {

    private static final List<ProviderConfigProperty> CONFIG = new ArrayList<>();

    static {
        OIDCAttributeMapperHelper.addTokenClaimNameConfig(CONFIG);
        OIDCAttributeMapperHelper.addIncludeInTokensConfig(CONFIG, HabilitationOidcMapper.class);
    }

    @Override
    public String getId() {
        return TrustcircleIds.OIDC_HABILITATION_MAPPER;
    }

    @Override
    public String getDisplayType() {
        return Habilitations.DISPLAY_TYPE;
    }

    @Override
    public String getDisplayCategory() {
        return TOKEN_MAPPER_CATEGORY;
    }

    @Override
    public String getHelpText() {
        return Habilitations.HELP_TEXT;
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return List.copyOf(CONFIG);
    }

    @Override
    protected void setClaim(IDToken token, ProtocolMapperModel model, UserSessionModel userSession,
            KeycloakSession session, ClientSessionContext context) {
        List<String> values = HabilitationSource.forClient(context.getClientSession().getClient(),
                userSession.getUser());
        if (!values.isEmpty()) {
            OIDCAttributeMapperHelper.mapClaim(token, model, values);
        }
    }
}
