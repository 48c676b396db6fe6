package enclave.monitor.account;

import java.util.Locale;
import java.util.Optional;

/**
 * Where a monitor account's Prometheus query API is reached on the gateway: by host
 * {@code <name>-<key>.<region>.prometheus.<domain>} (Azure's shape; the DNS server resolves it) or, without DNS, by path
 * {@code https://<gateway>/monitor/<name>-<key>}.
 *
 * @param region the platform's location, e.g. {@code local}
 * @param domain {@code monitor.azure.com} unless configured otherwise
 * @param gatewayPort the gateway listener's port
 * @param gatewayUrl the gateway's base URL, e.g. {@code https://127.0.0.1:47444}
 */
public record QueryEndpoints(String region, String domain, int gatewayPort, String gatewayUrl) {
    public static final String DEFAULT_DOMAIN = "monitor.azure.com";
    public static final String PATH_PREFIX = "/monitor/";

    public String host(MonitorAccount account) {
        return account.hostLabel() + "." + hostSuffix();
    }

    /** {@code properties.metrics.prometheusQueryEndpoint}. */
    public String url(MonitorAccount account) {
        return "https://" + host(account) + ":" + gatewayPort;
    }

    /** The same API by path on the gateway's address, for clients without the platform's DNS. */
    public String pathUrl(MonitorAccount account) {
        return gatewayUrl + PATH_PREFIX + account.hostLabel();
    }

    /** The host label ({@code <name>-<key>}) when {@code host} (without port) is a query host of this platform. */
    public Optional<String> labelOfHost(String host) {
        if (host == null) {
            return Optional.empty();
        }
        String lower = host.toLowerCase(Locale.ROOT);
        String suffix = "." + hostSuffix();
        if (!lower.endsWith(suffix)) {
            return Optional.empty();
        }
        String label = lower.substring(0, lower.length() - suffix.length());
        return label.isEmpty() || label.contains(".") ? Optional.empty() : Optional.of(label);
    }

    private String hostSuffix() {
        return region.toLowerCase(Locale.ROOT) + ".prometheus." + domain;
    }
}
