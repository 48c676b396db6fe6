package enclave.storage.account;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.ResourceId;
import enclave.storage.blob.BlobStore;
import enclave.store.ResourceStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Storage accounts: create, read, list and delete, with Azure's naming rules. Account names are
 * global (they are the first segment of every blob URL), so no two ids may share one.
 */
public final class StorageAccounts {
    private static final String NAMESPACE = "Microsoft.Storage";
    private static final String TYPE_NAME = "storageAccounts";

    private final ResourceStore store;
    private final BlobStore blobs;
    private final String blobEndpointBase;
    // Name uniqueness is a check-then-write across all documents; one lock makes it atomic in this process.
    private final ReentrantLock writes = new ReentrantLock();

    /**
     * @param blobEndpointBase the gateway's base URL, e.g. {@code https://127.0.0.1:47444/}; an account's blob
     *     endpoint is this base followed by the account name and a slash
     */
    public StorageAccounts(ResourceStore store, BlobStore blobs, String blobEndpointBase) {
        this.store = store;
        this.blobs = blobs;
        this.blobEndpointBase = blobEndpointBase.endsWith("/") ? blobEndpointBase : blobEndpointBase + "/";
    }

    /** The id of the account {@code name} in a resource group. */
    public static ResourceId id(String subscription, String resourceGroup, String name) {
        return ResourceId.of(subscription, resourceGroup, NAMESPACE, TYPE_NAME, name);
    }

    /** Creates the account or updates its tags; public network access stays as it was ({@code Enabled} for a new account). */
    public StorageAccount create(ResourceId id, String location, Map<String, String> tags) {
        return create(id, location, tags, Optional.empty());
    }

    /**
     * Creates the account or updates it in place (idempotent for the same id). Fails with
     * {@code InvalidResourceName} for a bad name and {@code Conflict} when another account has the name.
     */
    public StorageAccount create(ResourceId id, String location, Map<String, String> tags, Optional<String> publicNetworkAccess) {
        requireAccountId(id);
        String name = StorageAccount.checkName(id.name());
        String access = publicNetworkAccess.map(enclave.core.PublicNetworkAccess::normalize).orElse(null);
        writes.lock();
        try {
            Optional<StorageAccount> existing = find(id);
            Optional<StorageAccount> sameName = findByName(name);
            if (sameName.isPresent() && !sameName.get().resourceId().key().equals(id.key())) {
                throw new EnclaveException(ErrorCode.Conflict, "storage account name '" + name
                        + "' is already taken: storage account names are unique across all subscriptions, choose another");
            }
            if (existing.isPresent() && !existing.get().location().equalsIgnoreCase(location)) {
                throw new EnclaveException(ErrorCode.Conflict, "storage account '" + name + "' is in location '"
                        + existing.get().location() + "'; a resource cannot move to '" + location + "'");
            }
            if (existing.isEmpty()) {
                // Data left behind by an account of the same name that was deleted half-way must not reappear.
                blobs.deleteAccount(name);
            }
            StorageAccount account = new StorageAccount(
                    id.toString(),
                    name,
                    location,
                    tags,
                    access != null ? access : existing.map(StorageAccount::publicNetworkAccess).orElse(StorageAccount.ENABLED),
                    existing.map(StorageAccount::creationTime).orElseGet(Instant::now));
            store.put(id, account);
            return account;
        } finally {
            writes.unlock();
        }
    }

    public Optional<StorageAccount> find(ResourceId id) {
        requireAccountId(id);
        return store.get(id, StorageAccount.class);
    }

    /** The account, or {@code ResourceNotFound} naming it. */
    public StorageAccount get(ResourceId id) {
        return find(id).orElseThrow(() -> EnclaveException.notFound(ErrorCode.ResourceNotFound, "storage account", id));
    }

    public boolean exists(ResourceId id) {
        return find(id).isPresent();
    }

    /** The account with this (global) name, in any subscription and resource group. */
    public Optional<StorageAccount> findByName(String name) {
        return store.allOfType(StorageAccount.TYPE, StorageAccount.class).stream()
                .filter(account -> account.name().equals(name))
                .findFirst();
    }

    /** The accounts in a resource group, in creation order. */
    public List<StorageAccount> list(ResourceId resourceGroup) {
        return store.children(resourceGroup, StorageAccount.TYPE, StorageAccount.class);
    }

    /** Deletes the account and all its containers and blobs; returns whether it existed. */
    public boolean delete(ResourceId id) {
        requireAccountId(id);
        writes.lock();
        try {
            Optional<StorageAccount> existing = find(id);
            if (existing.isEmpty()) {
                return false;
            }
            // Data first: if we stop half-way the account still exists and a retried delete finishes the job.
            blobs.deleteAccount(existing.get().name());
            return store.delete(id);
        } finally {
            writes.unlock();
        }
    }

    /** The account's blob endpoint, e.g. {@code https://127.0.0.1:47444/myaccount/}. */
    public String blobEndpoint(String accountName) {
        return blobEndpointBase + accountName + "/";
    }

    private static void requireAccountId(ResourceId id) {
        if (!id.type().equalsIgnoreCase(StorageAccount.TYPE)) {
            throw new EnclaveException(ErrorCode.InvalidResourceId, "'" + id + "' is not a storage account id");
        }
    }
}
