package eu.trustcircle.keycloak.attestations;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.services.resource.RealmResourceProvider;
import org.keycloak.services.resource.RealmResourceProviderFactory;

/** Serves {@link AttestationsResource} under {@code /realms/<realm>/trustcircle-attestations}. */
public class AttestationsResourceProviderFactory implements RealmResourceProviderFactory {

    /** Path segment under the realm, shared with trustcircle/ids.py. */
    public static final String PROVIDER_ID = "trustcircle-attestations";

    @Override
    public RealmResourceProvider create(KeycloakSession session) {
        return new RealmResourceProvider() {
            @Override
            public Object getResource() {
                return new AttestationsResource(session);
            }

            @Override
            public void close() {
                // nothing held
            }
        };
    }

    @Override
    public void init(Config.Scope config) {
        // no options
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        // nothing to prepare
    }

    @Override
    public void close() {
        // nothing held
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}
