package enclave.serving.workspace;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.Hashes;
import enclave.core.Names;
import enclave.core.ResourceId;
import enclave.storage.account.StorageAccounts;
import enclave.store.ResourceStore;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

/** Workspaces and their default storage. */
public final class Workspaces {
    public static final String NAMESPACE = "Microsoft.MachineLearningServices";
    public static final String TYPE = NAMESPACE + "/workspaces";
    /** The datastore name assets refer to, and the container it maps to in the default storage account. */
    public static final String DEFAULT_DATASTORE = "workspaceblobstore";
    public static final String DEFAULT_CONTAINER = "azureml-blobstore";

    private final ResourceStore store;
    private final StorageAccounts storageAccounts;
    private final Predicate<ResourceId> resourceGroupExists;
    private final Clock clock;

    public Workspaces(ResourceStore store, StorageAccounts storageAccounts, Predicate<ResourceId> resourceGroupExists, Clock clock) {
        this.store = store;
        this.storageAccounts = storageAccounts;
        this.resourceGroupExists = resourceGroupExists;
        this.clock = clock;
    }

    public static ResourceId id(String subscription, String group, String name) {
        return ResourceId.of(subscription, group, NAMESPACE, "workspaces", name);
    }

    /** @param publicNetworkAccess {@code Enabled}/{@code Disabled} in any case; empty keeps it ({@code Enabled} for a new workspace) */
    public record Changes(String location, Map<String, String> tags, Optional<String> description, Optional<String> friendlyName,
            Optional<String> publicNetworkAccess) {
        public Changes(String location, Map<String, String> tags, Optional<String> description, Optional<String> friendlyName) {
            this(location, tags, description, friendlyName, Optional.empty());
        }
    }

    /** Creates the workspace (and its default storage) or updates its description and tags. Returns whether it was created. */
    public boolean createOrUpdate(ResourceId id, Changes changes) {
        Names.workspaceName(id.name());
        ResourceId group = id.parent().orElseThrow();
        if (!resourceGroupExists.test(group)) {
            throw new EnclaveException(ErrorCode.ResourceGroupNotFound, "resource group '" + group.name() + "' was not found; create it with: enclave group create -n " + group.name());
        }
        Optional<String> access = changes.publicNetworkAccess().map(Workspaces::publicNetworkAccess);
        Optional<Workspace> existing = find(id);
        if (existing.isPresent()) {
            Workspace current = existing.get();
            Workspace changed = current.withChanges(changes.tags() == null ? current.tags() : changes.tags(),
                    changes.description().orElse(current.description()), changes.friendlyName().orElse(current.friendlyName()));
            store.put(id, changed.withPublicNetworkAccess(access.orElse(current.publicNetworkAccess())));
            return false;
        }
        ResourceId storageId = ResourceId.of(id.subscription(), group.name(), "Microsoft.Storage", "storageAccounts", defaultStorageName(id));
        storageAccounts.create(storageId, changes.location(), Map.of("createdBy", "workspace " + id.name()));
        ResourceId registryId = registryId(id);
        ResourceId vaultId = keyVaultId(id);
        try {
            store.put(registryId, new ContainerRegistry(registryId.toString(), registryId.name(), changes.location(), id.toString(), clock.instant()));
            store.put(vaultId, new KeyVault(vaultId.toString(), vaultId.name(), changes.location(), id.toString(), clock.instant()));
            store.put(id, new Workspace(id.toString(), id.name(), changes.location(), changes.tags(), changes.description().orElse(""),
                    changes.friendlyName().orElse(id.name()), UUID.randomUUID().toString(), storageId.toString(), access.orElse(Workspace.ENABLED),
                    clock.instant(), registryId.toString(), vaultId.toString()));
        } catch (RuntimeException e) {
            store.delete(vaultId);
            store.delete(registryId);
            storageAccounts.delete(storageId);
            throw e;
        }
        return true;
    }

    public Optional<Workspace> find(ResourceId id) {
        return store.get(id, Workspace.class);
    }

    /** The workspace whose GUID ({@code properties.workspaceId}) this is, if any. */
    public Optional<Workspace> findByWorkspaceId(String workspaceGuid) {
        return store.allOfType(TYPE, Workspace.class).stream().filter(w -> w.workspaceId().equalsIgnoreCase(workspaceGuid)).findFirst();
    }

    public Workspace get(ResourceId id) {
        return find(id).orElseThrow(() -> new EnclaveException(ErrorCode.WorkspaceNotFound, "workspace '" + id.name() + "' was not found in resource group '"
                + id.resourceGroup().orElse("?") + "'; create it with: enclave ml workspace create -n " + id.name() + " -g " + id.resourceGroup().orElse("?")));
    }

    public List<Workspace> list(ResourceId group) {
        return store.children(group, TYPE, Workspace.class);
    }

    /** Deletes the workspace document, everything below it, its default storage and its registry. */
    public boolean delete(ResourceId id) {
        Optional<Workspace> workspace = find(id);
        workspace.ifPresent(ws -> storageAccounts.delete(ResourceId.parse(ws.storageAccount())));
        workspace.ifPresent(ws -> store.delete(ResourceId.parse(ws.containerRegistry())));
        workspace.ifPresent(ws -> store.delete(ResourceId.parse(ws.keyVault())));
        return store.delete(id) || workspace.isPresent();
    }

    /** The workspace's container registry: {@code cr} and a hash of the workspace id, in the workspace's group (as Azure names it). */
    public static ResourceId registryId(ResourceId workspace) {
        return ResourceId.of(workspace.subscription(), workspace.resourceGroup().orElseThrow(), "Microsoft.ContainerRegistry", "registries",
                "cr" + idHash(workspace));
    }

    /** The workspace's key store: {@code kv} and a hash of the workspace id (vault names are 3-24 characters), in the workspace's group. */
    public static ResourceId keyVaultId(ResourceId workspace) {
        return ResourceId.of(workspace.subscription(), workspace.resourceGroup().orElseThrow(), "Microsoft.KeyVault", "vaults",
                "kv" + idHash(workspace));
    }

    /** Whether the key store exists; workspaces made before key stores were stored still own the one their id derives. */
    public boolean keyVaultExists(ResourceId vault) {
        return store.get(vault, KeyVault.class).isPresent() || vault.resourceGroup()
                .map(group -> list(ResourceId.resourceGroup(vault.subscription(), group)).stream().anyMatch(ws -> ws.keyVault().equalsIgnoreCase(vault.toString())))
                .orElse(false);
    }

    public boolean containerRegistryExists(ResourceId registry) {
        return store.get(registry, ContainerRegistry.class).isPresent();
    }

    /** Accepts {@code Enabled}/{@code Disabled} in any case. */
    public static String publicNetworkAccess(String value) {
        if (Workspace.ENABLED.equalsIgnoreCase(value)) {
            return Workspace.ENABLED;
        }
        if (Workspace.DISABLED.equalsIgnoreCase(value)) {
            return Workspace.DISABLED;
        }
        throw new EnclaveException(ErrorCode.InvalidRequestContent, "publicNetworkAccess '" + value + "' is invalid: use 'Enabled' or 'Disabled'");
    }

    /** The scope data roles on the workspace's default datastore apply at: its blob container. */
    public static ResourceId defaultContainer(Workspace workspace) {
        return ResourceId.parse(workspace.storageAccount() + "/blobServices/default/containers/" + DEFAULT_CONTAINER);
    }

    /** 20 hex digits of SHA-256 of the workspace id: what the names of the resources made with a workspace end with. */
    private static String idHash(ResourceId workspace) {
        return Hashes.sha256Hex(workspace.key()).substring(0, 20);
    }

    /** Storage account names are global, 3-24 lower-case letters and digits: derive one from the workspace id. */
    static String defaultStorageName(ResourceId workspace) {
        return "st" + idHash(workspace);
    }

}
