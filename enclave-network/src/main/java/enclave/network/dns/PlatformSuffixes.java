package enclave.network.dns;

import java.util.List;
import java.util.Objects;
import org.xbill.DNS.Name;

/**
 * The DNS suffixes platform resources are named under, and the names they make (network design, "Names"). Azure's
 * suffixes are the defaults so Azure SDKs parse the names; each can be changed.
 *
 * @param region the platform's region ({@code ServerConfig.location()})
 * @param storage storage accounts' suffix: {@code <account>.blob.<storage>}
 * @param machineLearning workspaces' suffix: {@code <guid>.workspace.<region>.<machineLearning>}
 * @param inference scoring hosts' suffix: {@code <endpoint>.<region>.<inference>}
 * @param registry container registries' suffix: {@code <registry>.<registry suffix>}
 * @param prometheus monitor workspaces' suffix: {@code <name>-<key>.<region>.<prometheus>}
 */
public record PlatformSuffixes(String region, String storage, String machineLearning, String inference, String registry, String prometheus) {
    public PlatformSuffixes {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(machineLearning, "machineLearning");
        Objects.requireNonNull(inference, "inference");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(prometheus, "prometheus");
    }

    /** The same names the gateway routes by ({@link enclave.core.PlatformNames}), so the two never disagree. */
    public static PlatformSuffixes of(enclave.core.PlatformNames names) {
        return new PlatformSuffixes(names.region(), names.storageSuffix(), names.apiSuffix(), names.inferenceSuffix(), names.registrySuffix(),
                names.monitorSuffix());
    }

    public static PlatformSuffixes azure(String region) {
        return new PlatformSuffixes(region, "core.windows.net", "api.azureml.ms", "inference.ml.azure.com", "azurecr.io", "prometheus.monitor.azure.com");
    }

    /** The zones the platform answers for with authority: unknown names there are NXDOMAIN, not forwarded. */
    public List<Name> zones() {
        return List.of(
                DnsNames.absolute("blob." + storage),
                DnsNames.absolute(machineLearning),
                DnsNames.absolute(inference),
                DnsNames.absolute(registry),
                DnsNames.absolute(region + "." + prometheus));
    }

    /** The privatelink zone a private endpoint of this group id writes to ({@code blob} → {@code privatelink.blob.core.windows.net}). */
    public String privateLinkZone(String groupId) {
        return switch (groupId.toLowerCase(java.util.Locale.ROOT)) {
            case "blob" -> "privatelink.blob." + storage;
            case "amlworkspace" -> "privatelink." + machineLearning;
            case "registry" -> "privatelink." + registry;
            case "prometheusmetrics" -> "privatelink." + region + "." + prometheus;
            default -> throw new IllegalArgumentException("no privatelink zone for group id " + groupId);
        };
    }

    public PlatformResource storageAccount(String account, boolean hasPrivateEndpoints) {
        return resource(account + ".blob." + storage, account + ".privatelink.blob." + storage, hasPrivateEndpoints);
    }

    public PlatformResource workspace(String workspaceGuid, boolean hasPrivateEndpoints) {
        String relative = workspaceGuid + ".workspace." + region;
        return resource(relative + "." + machineLearning, relative + ".privatelink." + machineLearning, hasPrivateEndpoints);
    }

    /** An online endpoint's scoring host; its privatelink alias is covered by its workspace's {@code *.<guid>.inference.<region>} record. */
    public PlatformResource scoringHost(String endpoint, String workspaceGuid, boolean workspaceHasPrivateEndpoints) {
        return resource(endpoint + "." + region + "." + inference, endpoint + "." + workspaceGuid + ".inference." + region + ".privatelink." + machineLearning,
                workspaceHasPrivateEndpoints);
    }

    public PlatformResource registry(String registryName, boolean hasPrivateEndpoints) {
        return resource(registryName + "." + registry, registryName + ".privatelink." + registry, hasPrivateEndpoints);
    }

    public PlatformResource monitorWorkspace(String nameAndKey, boolean hasPrivateEndpoints) {
        return resource(nameAndKey + "." + region + "." + prometheus, nameAndKey + ".privatelink." + region + "." + prometheus, hasPrivateEndpoints);
    }

    private static PlatformResource resource(String publicName, String privateLinkName, boolean hasPrivateEndpoints) {
        return new PlatformResource(DnsNames.absolute(publicName), DnsNames.absolute(privateLinkName), hasPrivateEndpoints);
    }
}
