package enclave.store;

import enclave.core.ResourceId;
import java.util.List;
import java.util.Optional;

/**
 * Desired state: every resource as a document keyed by its id. Implementations are thread-safe and
 * make each call atomic and durable before it returns.
 */
public interface ResourceStore {
    <T> Optional<T> get(ResourceId id, Class<T> type);

    /** Direct children of {@code parent} whose full type is {@code childType}, in creation order. */
    <T> List<T> children(ResourceId parent, String childType, Class<T> type);

    /** Every resource of a full type, anywhere, in creation order. */
    <T> List<T> allOfType(String type, Class<T> documentType);

    /** Creates or replaces the document for {@code id}. */
    void put(ResourceId id, Object document);

    /** Whether anything is stored below {@code id}. */
    boolean hasDescendants(ResourceId id);

    /** Deletes {@code id} and everything below it; returns whether {@code id} existed. */
    boolean delete(ResourceId id);
}
