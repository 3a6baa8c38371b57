package eu.trustcircle.keycloak.habilitation;

import java.util.ArrayList;
import java.util.List;

import org.keycloak.dom.saml.v2.assertion.AttributeStatementType;
import org.keycloak.models.AuthenticatedClientSessionModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.saml.mappers.AbstractSAMLProtocolMapper;
import org.keycloak.protocol.saml.mappers.AttributeStatementHelper;
import org.keycloak.protocol.saml.mappers.SAMLAttributeStatementMapper;
import org.keycloak.provider.ProviderConfigProperty;

import eu.trustcircle.keycloak.conventiongate.TrustcircleIds;

/**
 * SAML attribute (multi-valued) with the habilitations of the agent for the client's service:
 * see {@link Habilitations}. Nothing is added when there are none.
 */
public class HabilitationSamlMapper extends AbstractSAMLProtocolMapper implements SAMLAttributeStatementMapper {

    private static final List<ProviderConfigProperty> CONFIG = new ArrayList<>();

    static {
        AttributeStatementHelper.setConfigProperties(CONFIG);
    }

    @Override
    public String getId() {
        return TrustcircleIds.SAML_HABILITATION_MAPPER;
    }

    @Override
    public String getDisplayType() {
        return Habilitations.DISPLAY_TYPE;
    }

    @Override
    public String getDisplayCategory() {
        return AttributeStatementHelper.ATTRIBUTE_STATEMENT_CATEGORY;
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
    public void transformAttributeStatement(AttributeStatementType statement, ProtocolMapperModel model,
            KeycloakSession session, UserSessionModel userSession, AuthenticatedClientSessionModel clientSession) {
        List<String> values = HabilitationSource.forClient(clientSession.getClient(), userSession.getUser());
        if (!values.isEmpty()) {
            AttributeStatementHelper.addAttributes(statement, model, values);
        }
    }
}
