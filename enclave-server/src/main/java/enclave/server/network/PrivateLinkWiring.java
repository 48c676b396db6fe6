package enclave.server.network;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.core.PlatformNames;
import enclave.core.ResourceId;
import enclave.network.privateendpoint.PrivateEndpointApi;
import enclave.network.privateendpoint.PrivateEndpoints;
import enclave.network.privateendpoint.PrivateLinkTarget;
import enclave.network.privateendpoint.PrivateLinkTargets;
import enclave.network.privateendpoint.PrivateNetworkCheck;
import enclave.serving.workspace.ContainerRegistry;
import enclave.serving.workspace.KeyVault;
import enclave.serving.workspace.Workspace;
import enclave.serving.workspace.WorkspaceApi;
import enclave.serving.workspace.Workspaces;
import enclave.storage.account.StorageAccount;
import enclave.storage.account.StorageAccounts;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The resources private endpoints connect to, as the network module sees them: workspaces ({@code amlworkspace}),
 * storage accounts ({@code blob}), a workspace's registry ({@code registry}) and key store ({@code vault}). Public
 * names follow Azure's (see docs/architecture.md, private networking).
 */
public final class PrivateLinkWiring {
    private PrivateLinkWiring() {}

    public static void registerTargets(PrivateLinkTargets targets, Workspaces workspaces, StorageAccounts storageAccounts, PlatformNames names) {
        targets.register(PrivateLinkTarget.of(Workspaces.TYPE, List.of("amlworkspace"), "workspace", id -> workspaces.find(id).isPresent(),
                (id, group) -> workspaces.find(id).map(ws -> List.of(names.workspaceHost(ws.workspaceId()), names.workspaceInferenceWildcard(ws.workspaceId())))
                        .orElse(List.of())));
        targets.register(PrivateLinkTarget.of(StorageAccount.TYPE, List.of("blob"), "storage account", storageAccounts::exists,
                (id, group) -> List.of(names.blobHost(id.name()))));
        targets.register(PrivateLinkTarget.of(ContainerRegistry.TYPE, List.of("registry"), "container registry", workspaces::containerRegistryExists,
                (id, group) -> List.of(names.registryHost(id.name()))));
        // Key stores serve no names on this platform (connections are read through the workspace); Azure's host is shown.
        targets.register(PrivateLinkTarget.of(KeyVault.TYPE, List.of("vault"), "key vault", workspaces::keyVaultExists,
                (id, group) -> List.of(id.name() + ".vault.azure.net")));
    }

    /** A workspace's ARM body shows its private endpoint connections and whether its private network is complete. */
    public static WorkspaceApi.NetworkView workspaceView(PrivateEndpoints endpoints) {
        return (Workspace workspace, ObjectNode properties) -> {
            ResourceId id = ResourceId.parse(workspace.id());
            ArrayNode connections = properties.putArray("privateEndpointConnections");
            endpoints.connections(id).forEach(connection -> connections.add(PrivateEndpointApi.toArm(connection)));
            PrivateNetworkCheck check = PrivateNetworkCheck.of(endpoints, id, dependencies(workspace));
            properties.putObject("privateNetworkCheck").put("satisfied", check.satisfied()).put("message", check.message())
                    .set("missing", properties.arrayNode().addAll(check.missing().stream().map(properties::textNode).toList()));
        };
    }

    /** What a workspace's private network must also reach, by group id. */
    public static Map<String, ResourceId> dependencies(Workspace workspace) {
        Map<String, ResourceId> dependencies = new LinkedHashMap<>();
        dependencies.put("blob", ResourceId.parse(workspace.storageAccount()));
        dependencies.put("registry", ResourceId.parse(workspace.containerRegistry()));
        dependencies.put("vault", ResourceId.parse(workspace.keyVault()));
        return dependencies;
    }
}
