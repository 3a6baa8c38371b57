package eu.trustcircle.keycloak.habilitation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.keycloak.common.util.Time;
import org.keycloak.models.ClientModel;
import org.keycloak.models.GroupModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;

import eu.trustcircle.keycloak.conventiongate.GroupAttributes;
import eu.trustcircle.keycloak.conventiongate.TrustcircleIds;

/** Reads the decision's inputs from Keycloak's models: groups, role mappings, the imported assertion. */
public final class HabilitationSource {

    private HabilitationSource() {
    }

    /** @return the rubriques of {@code client}'s service to release for {@code user} now */
    public static List<String> forClient(ClientModel client, UserModel user) {
        String serviceId = client.getAttribute(TrustcircleIds.CLIENT_SERVICE);
        if (serviceId == null || user == null) {
            return List.of();
        }
        Instant now = Instant.ofEpochMilli(Time.currentTimeMillis());
        return Habilitations.granted(serviceId, grants(user, rubriquesOf(client)), homeAsserted(user), now);
    }

    /**
     * The client whose roles are the service's rubriques: the service's own, or, for a partner's
     * application acting for its agents, the service client it names ({@link #SERVICE_CLIENT}).
     */
    static ClientModel rubriquesOf(ClientModel client) {
        String serviceClient = client.getAttribute(SERVICE_CLIENT);
        ClientModel named = serviceClient == null ? null : client.getRealm().getClientByClientId(serviceClient);
        return named != null ? named : client;
    }

    /** Client attribute of an application acting for agents: the clientId of the service it reads. */
    static final String SERVICE_CLIENT = "trustcircle.service.client";

    static List<ConventionGrant> grants(UserModel user, ClientModel client) {
        Map<String, GroupModel> byId = new LinkedHashMap<>();
        user.getGroupsStream().forEach(group -> {
            for (GroupModel g = group; g != null && byId.putIfAbsent(g.getId(), g) == null; g = g.getParent()) {
                // walk up to the root: roles are inherited from ancestor groups
            }
        });
        List<ConventionGrant> grants = new ArrayList<>(byId.size());
        for (GroupModel group : byId.values()) {
            grants.add(new ConventionGrant(new GroupAttributes(group.getName(), group.getAttributes()),
                    group.getClientRoleMappingsStream(client).map(RoleModel::getName).collect(Collectors.toSet())));
        }
        return grants;
    }

    /** The list the home organisation asserted (imported at each login), or empty if it asserts none. */
    static Optional<List<String>> homeAsserted(UserModel user) {
        List<String> values = user.getAttributeStream(TrustcircleIds.HOME_HABILITATIONS).toList();
        return values.isEmpty() ? Optional.empty() : Optional.of(values);
    }
}
