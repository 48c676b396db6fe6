package enclave.serving.workspace;

import enclave.core.ResourceId;
import java.time.Instant;
import java.util.Map;

/**
 * An Azure ML workspace: owns a default storage account where model and code assets live, and a container registry that
 * holds its environments.
 *
 * @param workspaceId the workspace's own GUID (Azure's {@code workspaceId})
 * @param storageAccount the ARM id of the default storage account
 * @param containerRegistry the ARM id of the workspace's registry (derived from the workspace id for workspaces made before it)
 */
public record Workspace(String id, String name, String location, Map<String, String> tags, String description, String friendlyName,
        String workspaceId, String storageAccount, String publicNetworkAccess, Instant createdAt, String containerRegistry) {
    public Workspace {
        containerRegistry = containerRegistry == null ? Workspaces.registryId(ResourceId.parse(id)).toString() : containerRegistry;
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        description = description == null ? "" : description;
        friendlyName = friendlyName == null ? name : friendlyName;
        publicNetworkAccess = publicNetworkAccess == null ? "Enabled" : publicNetworkAccess;
    }

    public Workspace withChanges(Map<String, String> newTags, String newDescription, String newFriendlyName) {
        return new Workspace(id, name, location, newTags, newDescription, newFriendlyName, workspaceId, storageAccount, publicNetworkAccess, createdAt,
                containerRegistry);
    }
}
