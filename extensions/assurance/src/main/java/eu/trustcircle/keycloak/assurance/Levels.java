package eu.trustcircle.keycloak.assurance;

import java.io.IOException;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.core.type.TypeReference;
import org.jboss.logging.Logger;
import org.keycloak.models.Constants;
import org.keycloak.models.RealmModel;
import org.keycloak.util.JsonSerialization;

/**
 * The federation's levels of assurance: authentication context class references (URIs, as SAML and
 * OIDC name them) and the level each stands for (the number of factors). Provisioning writes them in
 * every realm's ACR-to-LoA map (realm attribute {@code acr.loa.map}), which Keycloak itself uses for
 * OpenID Connect; this class reads the same map for SAML.
 */
public final class Levels {

    /**
     * Client note of a provider's login: the level the e-service asked for. A client note, as the
     * request's own parameters are: Keycloak clears auth notes when the login moves to the broker.
     */
    public static final String REQUIRED = "trustcircle.assurance.required";
    /** Client note of a provider's login: the level the agent's organisation asserted (the mapper's). */
    public static final String ASSERTED = "trustcircle.assurance.asserted";
    /** User-session note at the provider: the level the organisation asserted, once the gate let it in. */
    public static final String HOME_LEVEL = "trustcircle.assurance.home";
    /** Client attribute of a provider's e-service: the minimum level it accepts. */
    public static final String CLIENT_MINIMUM = "trustcircle.assurance";
    /** Event error when the organisation asserted less than the e-service needs. */
    public static final String ERROR_TOO_LOW = "trustcircle_assurance_too_low";

    private static final Logger LOG = Logger.getLogger(Levels.class);

    private final TreeMap<String, Integer> byUri;

    Levels(Map<String, Integer> byUri) {
        this.byUri = new TreeMap<>(byUri);
    }

    /** The realm's levels (none when the realm has no map). */
    public static Levels of(RealmModel realm) {
        String json = realm == null ? null : realm.getAttribute(Constants.ACR_LOA_MAP);
        if (json == null || json.isBlank()) {
            return new Levels(Map.of());
        }
        try {
            return new Levels(JsonSerialization.readValue(json, new TypeReference<Map<String, Integer>>() { }));
        } catch (IOException e) {
            LOG.warnf("realm %s: unreadable %s, no levels of assurance: %s", realm.getName(), Constants.ACR_LOA_MAP,
                    e.getMessage());
            return new Levels(Map.of());
        }
    }

    /** The level a URI stands for, if the federation defines it. */
    public Optional<Integer> level(String uri) {
        return Optional.ofNullable(uri == null ? null : byUri.get(uri.trim()));
    }

    /** The lowest level among the requested URIs the federation knows (SAML "minimum" or "exact"). */
    public Optional<Integer> requested(Collection<String> uris) {
        return uris == null ? Optional.empty()
                : uris.stream().map(this::level).flatMap(Optional::stream).min(Integer::compare);
    }

    /** The URI naming exactly {@code level}, or else the highest level below it; empty below all. */
    public Optional<String> uri(int level) {
        return byUri.entrySet().stream().filter(e -> e.getValue() <= level)
                .max(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey);
    }

    /** A level as a note holds it, or {@code fallback}. */
    public static int parse(String note, int fallback) {
        try {
            return note == null ? fallback : Integer.parseInt(note.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
