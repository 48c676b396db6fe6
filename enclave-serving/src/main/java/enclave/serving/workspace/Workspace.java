package enclave.serving.workspace;

import java.time.Instant;
import java.util.Map;

/**
 * An Azure ML workspace: owns a default storage account where model and code assets live.
 *
 * @param workspaceId the workspace's own GUID (Azure's {@code workspaceId})
 * @param storageAccount the ARM id of the default storage account
 */
public record Workspace(String id, String name, String location, Map<String, String> tags, String description, String friendlyName,
        String workspaceId, String storageAccount, String publicNetworkAccess, Instant createdAt) {
    public Workspace {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        description = description == null ? "" : description;
        friendlyName = friendlyName == null ? name : friendlyName;
        publicNetworkAccess = publicNetworkAccess == null ? "Enabled" : publicNetworkAccess;
    }

    public Workspace withChanges(Map<String, String> newTags, String newDescription, String newFriendlyName) {
        return new Workspace(id, name, location, newTags, newDescription, newFriendlyName, workspaceId, storageAccount, publicNetworkAccess, createdAt);
    }
}
