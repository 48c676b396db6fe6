package enclave.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An ARM-style resource id: {@code /subscriptions/{sub}[/resourceGroups/{rg}][/providers/{Ns}/{type}/{name}[/{childType}/{childName}]...]}
 * (provider resources live in a resource group, or directly in the subscription, like role definitions).
 *
 * <p>ARM ids compare case-insensitively; {@link #key()} is the canonical lower-case form used for
 * equality and storage, {@link #toString()} keeps the spelling the resource was created with.
 */
public record ResourceId(String subscription, Optional<String> resourceGroup, Optional<String> namespace, List<Segment> segments) {

    /** One {@code type/name} pair below the provider namespace. */
    public record Segment(String type, String name) {
        public Segment {
            requireText(type, "resource type");
            requireText(name, "resource name");
        }
    }

    public ResourceId {
        requireText(subscription, "subscription");
        segments = List.copyOf(segments);
        if (namespace.isPresent() && segments.isEmpty()) {
            throw new IllegalArgumentException("a provider namespace needs at least one type/name pair");
        }
    }

    public static ResourceId subscription(String subscription) {
        return new ResourceId(subscription, Optional.empty(), Optional.empty(), List.of());
    }

    public static ResourceId resourceGroup(String subscription, String resourceGroup) {
        return new ResourceId(subscription, Optional.of(resourceGroup), Optional.empty(), List.of());
    }

    /** A provider resource directly in a subscription (role definitions, operation statuses). */
    public static ResourceId ofSubscription(String subscription, String namespace, String type, String name) {
        return new ResourceId(subscription, Optional.empty(), Optional.of(namespace), List.of(new Segment(type, name)));
    }

    /** A top-level provider resource in a resource group. */
    public static ResourceId of(String subscription, String resourceGroup, String namespace, String type, String name) {
        return new ResourceId(subscription, Optional.of(resourceGroup), Optional.of(namespace), List.of(new Segment(type, name)));
    }

    public ResourceId child(String type, String name) {
        if (namespace.isEmpty()) {
            throw new IllegalStateException("a child needs a provider resource as parent: " + this);
        }
        List<Segment> more = new ArrayList<>(segments);
        more.add(new Segment(type, name));
        return new ResourceId(subscription, resourceGroup, namespace, more);
    }

    /** The name of the last segment (the resource group or subscription for those). */
    public String name() {
        if (!segments.isEmpty()) {
            return segments.getLast().name();
        }
        return resourceGroup.orElse(subscription);
    }

    /** The full type, e.g. {@code Microsoft.MachineLearningServices/workspaces/onlineEndpoints}. */
    public String type() {
        if (namespace.isEmpty()) {
            return resourceGroup.isPresent() ? "Microsoft.Resources/resourceGroups" : "Microsoft.Resources/subscriptions";
        }
        StringBuilder type = new StringBuilder(namespace.get());
        for (Segment segment : segments) {
            type.append('/').append(segment.type());
        }
        return type.toString();
    }

    public Optional<ResourceId> parent() {
        if (segments.size() > 1) {
            return Optional.of(new ResourceId(subscription, resourceGroup, namespace, segments.subList(0, segments.size() - 1)));
        }
        if (!segments.isEmpty()) {
            return Optional.of(new ResourceId(subscription, resourceGroup, Optional.empty(), List.of()));
        }
        if (resourceGroup.isPresent()) {
            return Optional.of(subscription(subscription));
        }
        return Optional.empty();
    }

    /** This id and every ancestor scope, nearest first. Ancestry is by segments, never by string prefix. */
    public List<ResourceId> scopes() {
        List<ResourceId> scopes = new ArrayList<>();
        Optional<ResourceId> current = Optional.of(this);
        while (current.isPresent()) {
            scopes.add(current.get());
            current = current.get().parent();
        }
        return scopes;
    }

    public boolean isWithin(ResourceId scope) {
        return scopes().stream().anyMatch(s -> s.key().equals(scope.key()));
    }

    /** Canonical lower-case form for equality and storage keys. */
    public String key() {
        return toString().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        StringBuilder id = new StringBuilder("/subscriptions/").append(subscription);
        resourceGroup.ifPresent(rg -> id.append("/resourceGroups/").append(rg));
        namespace.ifPresent(ns -> id.append("/providers/").append(ns));
        for (Segment segment : segments) {
            id.append('/').append(segment.type()).append('/').append(segment.name());
        }
        return id.toString();
    }

    /** Parses an id; throws {@link EnclaveException} with {@code InvalidResourceId} when it is not one. */
    public static ResourceId parse(String text) {
        String[] parts = text == null ? new String[0] : text.replaceAll("/+$", "").split("/");
        // parts[0] is the empty string before the leading slash
        if (parts.length < 3 || !parts[0].isEmpty() || !parts[1].equalsIgnoreCase("subscriptions")) {
            throw invalid(text);
        }
        String subscription = parts[2];
        Optional<String> group = Optional.empty();
        int i = 3;
        if (parts.length > i && parts[i].equalsIgnoreCase("resourceGroups")) {
            if (parts.length < i + 2 || parts[i + 1].isEmpty()) {
                throw invalid(text);
            }
            group = Optional.of(parts[i + 1]);
            i += 2;
        }
        if (parts.length == i) {
            return new ResourceId(subscription, group, Optional.empty(), List.of());
        }
        // providers may follow a resource group or, for subscription-level resources, the subscription itself
        if (!parts[i].equalsIgnoreCase("providers") || parts.length < i + 4) {
            throw invalid(text);
        }
        String namespace = parts[i + 1];
        i += 2;
        if ((parts.length - i) % 2 != 0) {
            throw invalid(text);
        }
        List<Segment> segments = new ArrayList<>();
        for (; i < parts.length; i += 2) {
            if (parts[i].isEmpty() || parts[i + 1].isEmpty()) {
                throw invalid(text);
            }
            segments.add(new Segment(parts[i], parts[i + 1]));
        }
        return new ResourceId(subscription, group, Optional.of(namespace), segments);
    }

    private static EnclaveException invalid(String text) {
        return new EnclaveException(ErrorCode.InvalidResourceId,
                "'" + text + "' is not a resource id; expected /subscriptions/{id}/resourceGroups/{group}/providers/{namespace}/{type}/{name}");
    }

    private static void requireText(String value, String what) {
        if (value == null || value.isBlank() || value.contains("/")) {
            throw new IllegalArgumentException(what + " must be non-empty and contain no '/': " + value);
        }
    }
}
