package enclave.network.privateendpoint;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.ResourceId;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The registered kinds of private link targets, by ARM type. Register every kind before the REST routes are built. */
public final class PrivateLinkTargets {
    private final Map<String, PrivateLinkTarget> byType = new ConcurrentHashMap<>();

    public PrivateLinkTargets register(PrivateLinkTarget target) {
        if (target.resourceType().split("/").length != 2) {
            throw new IllegalArgumentException("a private link target must be a top-level type like Namespace/type: " + target.resourceType());
        }
        if (byType.putIfAbsent(target.resourceType().toLowerCase(Locale.ROOT), target) != null) {
            throw new IllegalStateException("private link target registered twice: " + target.resourceType());
        }
        return this;
    }

    public Optional<PrivateLinkTarget> forType(String resourceType) {
        return Optional.ofNullable(byType.get(resourceType.toLowerCase(Locale.ROOT)));
    }

    public List<PrivateLinkTarget> all() {
        return byType.values().stream().sorted(java.util.Comparator.comparing(PrivateLinkTarget::resourceType)).toList();
    }

    /** The kind of {@code target}, or a clear refusal listing the kinds that take private endpoints. */
    PrivateLinkTarget of(ResourceId target) {
        return forType(target.type()).filter(t -> target.segments().size() == 1).orElseThrow(() -> new EnclaveException(ErrorCode.InvalidResourceId,
                "'" + target + "' cannot take private endpoints: the private connection resource must be one of "
                        + all().stream().map(PrivateLinkTarget::resourceType).toList()));
    }
}
