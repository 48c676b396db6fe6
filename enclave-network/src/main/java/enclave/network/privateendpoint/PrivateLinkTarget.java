package enclave.network.privateendpoint;

import enclave.core.ResourceId;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Predicate;

/**
 * A kind of resource that private endpoints can connect to (a workspace, a storage account, ...). Each kind is
 * registered once in {@link PrivateLinkTargets} by whoever wires the server; the network module knows no target by name.
 */
public interface PrivateLinkTarget {
    /** The full ARM type, e.g. {@code Microsoft.Storage/storageAccounts}; must be a top-level type in a resource group. */
    String resourceType();

    /** The sub-resources a private endpoint may connect to, e.g. {@code [blob]}. */
    List<String> groupIds();

    boolean exists(ResourceId target);

    /** A human name for messages, e.g. {@code storage account 'st1'}. */
    String display(ResourceId target);

    /** The public names a private endpoint to this sub-resource serves (shown as {@code customDnsConfigs[].fqdn}). */
    default List<String> fqdns(ResourceId target, String groupId) {
        return List.of();
    }

    /** A target from its parts, for wiring with lambdas. */
    static PrivateLinkTarget of(String resourceType, List<String> groupIds, String kind, Predicate<ResourceId> exists,
            BiFunction<ResourceId, String, List<String>> fqdns) {
        List<String> groups = List.copyOf(groupIds);
        return new PrivateLinkTarget() {
            @Override
            public String resourceType() {
                return resourceType;
            }

            @Override
            public List<String> groupIds() {
                return groups;
            }

            @Override
            public boolean exists(ResourceId target) {
                return exists.test(target);
            }

            @Override
            public String display(ResourceId target) {
                return kind + " '" + target.name() + "'";
            }

            @Override
            public List<String> fqdns(ResourceId target, String groupId) {
                return fqdns.apply(target, groupId);
            }
        };
    }
}
