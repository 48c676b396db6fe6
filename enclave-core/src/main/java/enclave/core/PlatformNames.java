package enclave.core;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The DNS names the platform serves its resources under, with the region. Azure's suffixes are the defaults so Azure
 * SDKs parse the names; every suffix is configurable. Shared by the gateway (host-based routing), TLS (certificate
 * names) and DNS.
 *
 * @param region the platform's location ({@code ServerConfig.location()}, e.g. {@code local})
 * @param storageSuffix blob hosts are {@code <account>.blob.<storageSuffix>}
 * @param inferenceSuffix scoring hosts are {@code <endpoint>.<region>.<inferenceSuffix>}
 * @param apiSuffix workspace hosts are {@code <workspace guid>.workspace.<region>.<apiSuffix>}
 * @param registrySuffix registry hosts are {@code <registry>.<registrySuffix>}
 * @param monitorSuffix metric hosts are {@code <name>-<key>.<region>.<monitorSuffix>}
 */
public record PlatformNames(String region, String storageSuffix, String inferenceSuffix, String apiSuffix, String registrySuffix, String monitorSuffix) {
    public PlatformNames {
        region = label(region, "region");
        storageSuffix = suffix(storageSuffix, "storageSuffix");
        inferenceSuffix = suffix(inferenceSuffix, "inferenceSuffix");
        apiSuffix = suffix(apiSuffix, "apiSuffix");
        registrySuffix = suffix(registrySuffix, "registrySuffix");
        monitorSuffix = suffix(monitorSuffix, "monitorSuffix");
    }

    /** Azure's public cloud suffixes for {@code region}. */
    public static PlatformNames azure(String region) {
        return new PlatformNames(region, "core.windows.net", "inference.ml.azure.com", "api.azureml.ms", "azurecr.io", "prometheus.monitor.azure.com");
    }

    /** {@code <account>.blob.core.windows.net} */
    public String blobHost(String account) {
        return account.toLowerCase(Locale.ROOT) + "." + blobZone();
    }

    /** {@code blob.core.windows.net} */
    public String blobZone() {
        return "blob." + storageSuffix;
    }

    /** {@code <endpoint>.<region>.inference.ml.azure.com} */
    public String scoringHost(String endpoint) {
        return endpoint.toLowerCase(Locale.ROOT) + "." + scoringZone();
    }

    /** {@code <region>.inference.ml.azure.com} */
    public String scoringZone() {
        return region + "." + inferenceSuffix;
    }

    /** {@code <workspace guid>.workspace.<region>.api.azureml.ms} */
    public String workspaceHost(String workspaceGuid) {
        return workspaceGuid.toLowerCase(Locale.ROOT) + "." + workspaceZone();
    }

    /** {@code workspace.<region>.api.azureml.ms} */
    public String workspaceZone() {
        return "workspace." + region + "." + apiSuffix;
    }

    /** {@code *.<workspace guid>.inference.<region>.api.azureml.ms}: the names behind a workspace's scoring hosts in its privatelink zone. */
    public String workspaceInferenceWildcard(String workspaceGuid) {
        return "*." + workspaceGuid.toLowerCase(Locale.ROOT) + ".inference." + region + "." + apiSuffix;
    }

    /** {@code <registry>.azurecr.io} */
    public String registryHost(String registry) {
        return registry.toLowerCase(Locale.ROOT) + "." + registrySuffix;
    }

    /** {@code <region>.prometheus.monitor.azure.com} */
    public String monitorZone() {
        return region + "." + monitorSuffix;
    }

    /** The wildcard names a server certificate lists so that every resource host name is valid on it. */
    public List<String> certificateWildcards() {
        return List.of("*." + blobZone(), "*." + scoringZone(), "*." + workspaceZone(), "*." + registrySuffix, "*." + monitorZone());
    }

    /** The account named by a blob host ({@code <account>.blob.core.windows.net[:port]}, any case), if it is one. */
    public Optional<String> blobAccountOf(String host) {
        return firstLabelUnder(host, blobZone());
    }

    /** The workspace GUID named by a workspace host ({@code <guid>.workspace.<region>.api.azureml.ms[:port]}), if it is one. */
    public Optional<String> workspaceOf(String host) {
        return firstLabelUnder(host, workspaceZone());
    }

    /** The endpoint named by a scoring host ({@code <endpoint>.<region>.inference.ml.azure.com[:port]}, any case), if it is one. */
    public Optional<String> endpointOf(String host) {
        return firstLabelUnder(host, scoringZone());
    }

    /**
     * The single label before {@code .zone} in {@code host} (which may carry a {@code :port} and a trailing dot), lower-cased;
     * empty when the host is not exactly one label under the zone.
     */
    static Optional<String> firstLabelUnder(String host, String zone) {
        if (host == null) {
            return Optional.empty();
        }
        int end = host.length();
        int colon = host.lastIndexOf(':');
        if (colon >= 0 && host.indexOf(']') < 0) {
            end = colon;
        }
        if (end > 0 && host.charAt(end - 1) == '.') {
            end--;
        }
        int labelEnd = end - zone.length() - 1;
        if (labelEnd <= 0 || host.charAt(labelEnd) != '.' || !host.regionMatches(true, labelEnd + 1, zone, 0, zone.length())) {
            return Optional.empty();
        }
        String label = host.substring(0, labelEnd);
        if (label.indexOf('.') >= 0) {
            return Optional.empty();
        }
        return Optional.of(label.toLowerCase(Locale.ROOT));
    }

    private static String label(String value, String what) {
        Objects.requireNonNull(value, what);
        if (!value.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
            throw new IllegalArgumentException(what + " '" + value + "' must be one lower-case DNS label (letters, digits, '-')");
        }
        return value;
    }

    private static String suffix(String value, String what) {
        Objects.requireNonNull(value, what);
        String lower = value.toLowerCase(Locale.ROOT);
        if (lower.startsWith(".") || lower.endsWith(".") || !lower.matches("[a-z0-9-]+(\\.[a-z0-9-]+)+")) {
            throw new IllegalArgumentException(what + " '" + value + "' must be a DNS name of at least two labels, e.g. core.windows.net");
        }
        return lower;
    }
}
