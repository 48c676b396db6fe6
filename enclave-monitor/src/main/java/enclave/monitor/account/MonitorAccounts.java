package enclave.monitor.account;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.Hashes;
import enclave.core.ResourceId;
import enclave.store.ResourceStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Monitor accounts and their links to ML workspaces. A workspace links to at most one account, so its metrics have one
 * home; the links live on the account (workspace documents are not touched).
 */
public final class MonitorAccounts {
    private static final String NAMESPACE = "Microsoft.Monitor";
    private static final String TYPE_NAME = "accounts";

    private final ResourceStore store;
    private final Predicate<ResourceId> workspaceExists;
    private final Clock clock;
    // Link uniqueness is a check across all accounts then a write: one lock makes it atomic in this process.
    private final ReentrantLock writes = new ReentrantLock();

    public MonitorAccounts(ResourceStore store, Predicate<ResourceId> workspaceExists, Clock clock) {
        this.store = store;
        this.workspaceExists = workspaceExists;
        this.clock = clock;
    }

    public static ResourceId id(String subscription, String resourceGroup, String name) {
        return ResourceId.of(subscription, resourceGroup, NAMESPACE, TYPE_NAME, name);
    }

    /** Creates the account or updates tags and public network access in place; the GUID, key and links stay. */
    public MonitorAccount createOrUpdate(ResourceId id, String location, Map<String, String> tags, Optional<String> publicNetworkAccess) {
        requireAccountId(id);
        MonitorAccount.checkName(id.name());
        writes.lock();
        try {
            Optional<MonitorAccount> existing = find(id);
            if (existing.isPresent() && !existing.get().location().equalsIgnoreCase(location)) {
                throw new EnclaveException(ErrorCode.Conflict, "monitor account '" + id.name() + "' is in location '" + existing.get().location()
                        + "'; a resource cannot move to '" + location + "'");
            }
            String accountId = existing.map(MonitorAccount::accountId).orElseGet(() -> UUID.randomUUID().toString());
            MonitorAccount account = new MonitorAccount(id.toString(), id.name(), location, tags, accountId,
                    existing.map(MonitorAccount::key).orElseGet(() -> keyOf(accountId)),
                    publicNetworkAccess.orElse(existing.map(MonitorAccount::publicNetworkAccess).orElse(MonitorAccount.ENABLED)),
                    existing.map(MonitorAccount::linkedWorkspaces).orElse(List.of()),
                    existing.map(MonitorAccount::creationTime).orElseGet(clock::instant));
            store.put(id, account);
            return account;
        } finally {
            writes.unlock();
        }
    }

    public Optional<MonitorAccount> find(ResourceId id) {
        requireAccountId(id);
        return store.get(id, MonitorAccount.class);
    }

    public MonitorAccount get(ResourceId id) {
        return find(id).orElseThrow(() -> EnclaveException.notFound(ErrorCode.ResourceNotFound, "monitor account", id));
    }

    public List<MonitorAccount> list(ResourceId resourceGroup) {
        return store.children(resourceGroup, MonitorAccount.TYPE, MonitorAccount.class);
    }

    public List<MonitorAccount> all() {
        return store.allOfType(MonitorAccount.TYPE, MonitorAccount.class);
    }

    /** The account whose query host label ({@code <name>-<key>}) this is. */
    public Optional<MonitorAccount> findByHostLabel(String label) {
        String wanted = label.toLowerCase(Locale.ROOT);
        return all().stream().filter(a -> a.hostLabel().equals(wanted)).findFirst();
    }

    /** The account a workspace is linked to, if any. */
    public Optional<MonitorAccount> linkedTo(ResourceId workspace) {
        return all().stream().filter(a -> a.linkedWorkspaces().contains(workspace.key())).findFirst();
    }

    public boolean delete(ResourceId id) {
        requireAccountId(id);
        writes.lock();
        try {
            return store.delete(id);
        } finally {
            writes.unlock();
        }
    }

    /** Links a workspace; idempotent for the same account, {@code Conflict} when another account has it. */
    public MonitorAccount link(ResourceId accountId, ResourceId workspace) {
        if (!workspaceExists.test(workspace)) {
            throw EnclaveException.notFound(ErrorCode.WorkspaceNotFound, "workspace", workspace);
        }
        writes.lock();
        try {
            MonitorAccount account = get(accountId);
            Optional<MonitorAccount> other = linkedTo(workspace).filter(a -> !a.resourceId().key().equals(accountId.key()));
            if (other.isPresent()) {
                throw new EnclaveException(ErrorCode.Conflict, "workspace '" + workspace.name() + "' is already linked to monitor account '"
                        + other.get().name() + "' (" + other.get().id() + "); a workspace's metrics go to one account: unlink it there first");
            }
            if (account.linkedWorkspaces().contains(workspace.key())) {
                return account;
            }
            List<String> links = new ArrayList<>(account.linkedWorkspaces());
            links.add(workspace.key());
            MonitorAccount updated = account.withLinks(links);
            store.put(accountId, updated);
            return updated;
        } finally {
            writes.unlock();
        }
    }

    /** Unlinks a workspace; unlinking one that is not linked is a no-op, as deletes are. */
    public MonitorAccount unlink(ResourceId accountId, ResourceId workspace) {
        writes.lock();
        try {
            MonitorAccount account = get(accountId);
            List<String> links = account.linkedWorkspaces().stream().filter(w -> !w.equals(workspace.key())).toList();
            MonitorAccount updated = account.withLinks(links);
            store.put(accountId, updated);
            return updated;
        } finally {
            writes.unlock();
        }
    }

    /** Removes a deleted workspace's link, so a new workspace of the same name does not inherit the old one's account. */
    public void forgetWorkspace(ResourceId workspace) {
        linkedTo(workspace).ifPresent(account -> unlink(account.resourceId(), workspace));
    }

    /** The linked workspaces as a set of lower-case ids, for series selection. */
    public static Set<String> workspaceKeys(MonitorAccount account) {
        return account.linkedWorkspaces().stream().collect(Collectors.toUnmodifiableSet());
    }

    /** Eight hex digits of SHA-256 of the account GUID: unguessable from the name, stable for the account's life. */
    static String keyOf(String accountId) {
        return Hashes.sha256Hex(accountId).substring(0, 8);
    }

    private static void requireAccountId(ResourceId id) {
        if (!id.type().equalsIgnoreCase(MonitorAccount.TYPE)) {
            throw new EnclaveException(ErrorCode.InvalidResourceId, "'" + id + "' is not a monitor account id");
        }
    }
}
