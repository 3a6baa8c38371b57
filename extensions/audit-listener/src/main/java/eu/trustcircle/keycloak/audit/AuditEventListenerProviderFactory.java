package eu.trustcircle.keycloak.audit;

import java.nio.file.Path;
import java.util.List;

import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

/**
 * The audit trail of a federated access, on both sides. Configuration (read once, in
 * {@link #init}): {@code file}, the JSON-lines file to append to (option
 * {@code spi-events-listener-trustcircle-audit-file}); without it, lines go to the server log.
 */
public class AuditEventListenerProviderFactory implements EventListenerProviderFactory {

    /** Provider id, as listed in a realm's {@code eventsListeners}. */
    public static final String PROVIDER_ID = "trustcircle-audit";

    private static final Logger LOG = Logger.getLogger(AuditEventListenerProviderFactory.class);

    private AuditSink sink = new AuditSink(null);

    @Override
    public EventListenerProvider create(KeycloakSession session) {
        return new AuditEventListenerProvider(session, sink);
    }

    @Override
    public void init(Config.Scope config) {
        String file = config.get("file");
        sink = new AuditSink(file == null || file.isBlank() ? null : Path.of(file));
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        LOG.infof("trustcircle audit listener writing to %s",
                sink.file() == null ? "the server log (category trustcircle.audit)" : sink.file());
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return ProviderConfigurationBuilder.create()
                .property().name("file").type("string")
                .helpText("JSON-lines file the audit trail is appended to (created 0600); server log if unset")
                .add().build();
    }

    @Override
    public void close() {
        // Nothing held open: each line is appended and the file closed.
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}
