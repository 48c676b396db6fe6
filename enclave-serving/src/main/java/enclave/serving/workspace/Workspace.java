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
 * @param keyVault the ARM id of the workspace's key store (derived likewise)
 * @param publicNetworkAccess {@code Enabled} or {@code Disabled}; removing private endpoints never changes it
 */
public record Workspace(String id, String name, String location, Map<String, String> tags, String description, String friendlyName,
        String workspaceId, String storageAccount, String publicNetworkAccess, Instant createdAt, String containerRegistry, String keyVault) {
    public static final String ENABLED = "Enabled";
    public static final String DISABLED = "Disabled";

    public Workspace {
        keyVault = keyVault == null ? Workspaces.keyVaultId(ResourceId.parse(id)).toString() : keyVault;
        containerRegistry = containerRegistry == null ? Workspaces.registryId(ResourceId.parse(id)).toString() : containerRegistry;
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        description = description == null ? "" : description;
        friendlyName = friendlyName == null ? name : friendlyName;
        publicNetworkAccess = publicNetworkAccess == null ? "Enabled" : publicNetworkAccess;
    }

    public Workspace withChanges(Map<String, String> newTags, String newDescription, String newFriendlyName) {
        return new Workspace(id, name, location, newTags, newDescription, newFriendlyName, workspaceId, storageAccount, publicNetworkAccess, createdAt,
                containerRegistry, keyVault);
    }

    public Workspace withPublicNetworkAccess(String access) {
        return new Workspace(id, name, location, tags, description, friendlyName, workspaceId, storageAccount, access, createdAt, containerRegistry, keyVault);
    }

    public boolean publicNetworkAccessEnabled() {
        return ENABLED.equals(publicNetworkAccess);
    }
}
