package enclave.network.privateendpoint;

import enclave.core.ResourceId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Azure ML's rule for a workspace behind private endpoints: one of the networks that hold a private endpoint of the
 * workspace must also hold private endpoints for the workspace's storage ({@code blob}), registry ({@code registry})
 * and key store ({@code vault}), or jobs and deployments in that network cannot reach them.
 *
 * @param satisfied whether some network has them all (true when the workspace has no private endpoints)
 * @param message what is missing where, and the exact commands to add it
 * @param missing the group ids missing in the closest network (empty when satisfied)
 */
public record PrivateNetworkCheck(boolean satisfied, String message, List<String> missing) {

    /**
     * @param dependencies the resources to check, group id first ({@code blob} → the storage account id, ...), in the order to report them
     */
    public static PrivateNetworkCheck of(PrivateEndpoints endpoints, ResourceId workspace, Map<String, ResourceId> dependencies) {
        List<PrivateEndpoint> own = endpoints.connectedTo(workspace).stream().filter(PrivateNetworkCheck::live).toList();
        if (own.isEmpty()) {
            return new PrivateNetworkCheck(true, "workspace '" + workspace.name() + "' has no private endpoints; nothing to check", List.of());
        }
        Map<String, List<PrivateEndpoint>> dependencyEndpoints = new LinkedHashMap<>();
        dependencies.forEach((groupId, resource) -> dependencyEndpoints.put(groupId, endpoints.connectedTo(resource).stream().filter(PrivateNetworkCheck::live)
                .filter(pe -> pe.groupId().equalsIgnoreCase(groupId)).toList()));
        Map<String, PrivateEndpoint> networks = new LinkedHashMap<>();
        own.forEach(pe -> networks.putIfAbsent(pe.virtualNetworkId().key(), pe));
        PrivateEndpoint closest = null;
        List<String> closestMissing = null;
        for (PrivateEndpoint workspaceEndpoint : networks.values()) {
            String network = workspaceEndpoint.virtualNetworkId().key();
            List<String> missing = dependencyEndpoints.entrySet().stream()
                    .filter(entry -> entry.getValue().stream().noneMatch(pe -> pe.virtualNetworkId().key().equals(network)))
                    .map(Map.Entry::getKey).toList();
            if (missing.isEmpty()) {
                return new PrivateNetworkCheck(true, "virtual network '" + workspaceEndpoint.virtualNetworkName() + "' holds private endpoints for workspace '"
                        + workspace.name() + "' and its " + String.join(", ", dependencies.keySet()), List.of());
            }
            if (closestMissing == null || missing.size() < closestMissing.size()) {
                closest = workspaceEndpoint;
                closestMissing = missing;
            }
        }
        List<String> commands = new ArrayList<>();
        for (String groupId : closestMissing) {
            ResourceId resource = dependencies.get(groupId);
            ResourceId network = closest.virtualNetworkId();
            commands.add("enclave network private-endpoint create -g " + closest.resourceId().resourceGroup().orElse("?") + " -n " + workspace.name() + "-" + groupId
                    + "-pe --vnet-name " + network.name() + " --subnet " + closest.subnetId().name() + " --private-connection-resource-id " + resource
                    + " --group-id " + groupId + " --connection-name " + workspace.name() + "-" + groupId);
        }
        String networkNames = networks.values().stream().map(pe -> "'" + pe.virtualNetworkName() + "'").collect(Collectors.joining(", "));
        String message = "workspace '" + workspace.name() + "' has private endpoints in virtual network(s) " + networkNames + ", but none of them also holds "
                + "private endpoints for the workspace's " + String.join(", ", dependencies.keySet()) + " (storage account, container registry, key store); "
                + "virtual network '" + closest.virtualNetworkName() + "' lacks: " + closestMissing.stream()
                        .map(g -> g + " (" + dependencies.get(g).name() + ")").collect(Collectors.joining(", "))
                + ". Add them with:\n  " + String.join("\n  ", commands);
        return new PrivateNetworkCheck(false, message, closestMissing);
    }

    private static boolean live(PrivateEndpoint endpoint) {
        return endpoint.status() == ConnectionStatus.Approved || endpoint.status() == ConnectionStatus.Pending;
    }
}
