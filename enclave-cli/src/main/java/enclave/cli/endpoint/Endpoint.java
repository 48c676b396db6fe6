package enclave.cli.endpoint;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A validated endpoint definition, in ARM's vocabulary ({@code Key}, {@code SystemAssigned}, {@code Enabled}). */
public record Endpoint(
        String name,
        Optional<String> description,
        Map<String, String> tags,
        String authMode,
        String identityType,
        List<String> userAssignedIdentities,
        String publicNetworkAccess,
        Optional<Map<String, Integer>> traffic,
        Optional<Map<String, Integer>> mirrorTraffic,
        String kind) {

    public Endpoint {
        tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
        userAssignedIdentities = List.copyOf(userAssignedIdentities);
    }
}
