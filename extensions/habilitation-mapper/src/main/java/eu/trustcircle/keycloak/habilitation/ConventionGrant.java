package eu.trustcircle.keycloak.habilitation;

import java.util.Objects;
import java.util.Set;

import eu.trustcircle.keycloak.conventiongate.GroupAttributes;

/**
 * One of the agent's effective groups, with the rubriques (client roles of the service's client)
 * mapped to it. Convention groups carry the rubriques of their membership form.
 *
 * @param group     the group's attributes (convention status, service, validity window)
 * @param rubriques the service's roles the group maps
 */
public record ConventionGrant(GroupAttributes group, Set<String> rubriques) {

    /** Copies the rubriques so later changes to the source cannot affect a decision. */
    public ConventionGrant {
        Objects.requireNonNull(group, "group");
        rubriques = rubriques == null ? Set.of() : Set.copyOf(rubriques);
    }
}
