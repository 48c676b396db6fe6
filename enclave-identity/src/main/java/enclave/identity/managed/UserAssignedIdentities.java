package enclave.identity.managed;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.ResourceId;
import enclave.identity.Principal;
import enclave.identity.Principals;
import enclave.store.ResourceStore;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** User-assigned identities: the ARM resource and the directory principal behind it, made and removed together. */
public final class UserAssignedIdentities {
    // Azure's rule for identity names: 3-128 characters, letters, digits, '-' and '_', starting with a letter or digit.
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{2,127}");

    private final ResourceStore store;
    private final Principals principals;
    private final String tenantId;
    private final Predicate<ResourceId> resourceGroupExists;
    private final Consumer<String> principalDeleted;
    private final Clock clock;
    private final Object lock = new Object();

    /**
     * @param principalDeleted told the object id of a principal that was deleted, so its role assignments go with it
     */
    public UserAssignedIdentities(ResourceStore store, Principals principals, String tenantId, Predicate<ResourceId> resourceGroupExists,
            Consumer<String> principalDeleted, Clock clock) {
        this.store = store;
        this.principals = principals;
        this.tenantId = tenantId;
        this.resourceGroupExists = resourceGroupExists;
        this.principalDeleted = principalDeleted;
        this.clock = clock;
    }

    public static ResourceId id(String subscription, String group, String name) {
        return ResourceId.of(subscription, group, "Microsoft.ManagedIdentity", "userAssignedIdentities", name);
    }

    /** Creates the identity (and its principal) or updates its tags; returns whether it was created. */
    public boolean createOrUpdate(ResourceId id, String location, Map<String, String> tags) {
        requireIdentityId(id);
        if (!NAME.matcher(id.name()).matches()) {
            throw new EnclaveException(ErrorCode.InvalidResourceName, "identity name '" + id.name()
                    + "' is invalid: use 3-128 letters, digits, '-' and '_', starting with a letter or digit");
        }
        ResourceId group = id.parent().orElseThrow();
        if (!resourceGroupExists.test(group)) {
            throw new EnclaveException(ErrorCode.ResourceGroupNotFound, "resource group '" + group.name() + "' was not found; create it with: enclave group create -n "
                    + group.name());
        }
        synchronized (lock) {
            Optional<UserAssignedIdentity> existing = find(id);
            if (existing.isPresent()) {
                UserAssignedIdentity current = existing.get();
                store.put(id, new UserAssignedIdentity(current.id(), current.name(), current.location(), tags, current.principalId(), current.clientId(),
                        current.tenantId(), current.createdAt()));
                return false;
            }
            Principal principal = principals.createManagedIdentity(tenantId, id.name());
            try {
                store.put(id, new UserAssignedIdentity(id.toString(), id.name(), location, tags, principal.objectId(), principal.appId().orElseThrow(),
                        tenantId, clock.instant()));
            } catch (RuntimeException e) {
                principals.delete(principal.objectId());
                throw e;
            }
            return true;
        }
    }

    public Optional<UserAssignedIdentity> find(ResourceId id) {
        requireIdentityId(id);
        return store.get(id, UserAssignedIdentity.class);
    }

    /** The identity, or a 404 that says how to make it. */
    public UserAssignedIdentity get(ResourceId id) {
        return find(id).orElseThrow(() -> new EnclaveException(ErrorCode.ResourceNotFound, "user-assigned identity '" + id.name()
                + "' was not found (" + id + "); create it with: enclave identity create -n " + id.name() + " -g " + id.resourceGroup().orElse("?")));
    }

    public List<UserAssignedIdentity> list(ResourceId group) {
        return store.children(group, UserAssignedIdentity.TYPE, UserAssignedIdentity.class);
    }

    /** Deletes the identity, its principal and (through {@code principalDeleted}) its role assignments; returns whether it existed. */
    public boolean delete(ResourceId id) {
        synchronized (lock) {
            Optional<UserAssignedIdentity> existing = find(id);
            if (existing.isEmpty()) {
                return false;
            }
            principals.delete(existing.get().principalId());
            principalDeleted.accept(existing.get().principalId());
            return store.delete(id);
        }
    }

    private static void requireIdentityId(ResourceId id) {
        if (!id.type().equalsIgnoreCase(UserAssignedIdentity.TYPE)) {
            throw new EnclaveException(ErrorCode.InvalidResourceId, "'" + id + "' is not a user-assigned identity id (.../providers/"
                    + UserAssignedIdentity.TYPE + "/NAME)");
        }
    }
}
