package enclave.cli.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.cli.console.CliException;
import enclave.cli.http.ApiResponse;
import enclave.cli.http.HttpTransport;
import enclave.cli.session.Session;
import enclave.cli.session.WorkspaceScope;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An endpoint's metrics as the monitor workspace linked to its ML workspace has them: which account, its query URL, and
 * the PromQL of the main figures, run through the gateway's query front door with a token for the monitor audience.
 */
public final class EndpointMetrics {
    public static final String MONITOR_SCOPE = "https://prometheus.monitor.azure.com/.default";

    private final Session session;
    private final JsonNode account;
    private final String selector;

    private EndpointMetrics(Session session, JsonNode account, String selector) {
        this.session = session;
        this.account = account;
        this.selector = selector;
    }

    /** The metrics of an endpoint, or empty when its workspace is linked to no monitor account (or the caller may not list them). */
    public static Optional<EndpointMetrics> find(Session session, WorkspaceScope workspace, String endpoint) {
        String workspaceKey = workspace.id().key();
        List<JsonNode> accounts = session.connection().management().list("/subscriptions/" + workspace.subscription() + MonitorAccountCommands.PROVIDER);
        return accounts.stream()
                .filter(a -> {
                    for (JsonNode linked : a.path("properties").path("linkedWorkspaces")) {
                        if (linked.asText().equalsIgnoreCase(workspaceKey)) {
                            return true;
                        }
                    }
                    return false;
                })
                .findFirst()
                .map(a -> new EndpointMetrics(session, a, "workspace=\"" + workspaceKey + "\",endpoint=\"" + endpoint.toLowerCase(Locale.ROOT) + "\""));
    }

    public JsonNode account() {
        return account;
    }

    public String queryEndpoint() {
        return account.path("properties").path("metrics").path("prometheusQueryEndpoint").asText();
    }

    /** The path-style query URL on the gateway address (works without the platform's DNS). */
    public String queryEndpointByPath() {
        return account.path("properties").path("metrics").path("prometheusQueryEndpointByPath").asText();
    }

    /** Requests per second over the last minute. */
    public String requestsPerSecond() {
        return "sum(rate(enclave_requests_total{" + selector + "}[1m]))";
    }

    public String latencyQuantile(double quantile) {
        return "histogram_quantile(" + quantile + ", sum by (le) (rate(enclave_request_duration_seconds_bucket{" + selector + "}[1m])))";
    }

    /** The share of answers that were not 2xx, over the last minute. */
    public String errorRate() {
        return "sum(rate(enclave_requests_total{" + selector + ",status_code!~\"2..\"}[1m])) / sum(rate(enclave_requests_total{" + selector + "}[1m]))";
    }

    /** Runs a range query; the (time, value) points of its first series (these queries sum to one), without NaN gaps. */
    public List<Map.Entry<Instant, Double>> range(String promql, Instant start, Instant end, long stepSeconds) {
        String form = "query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8) + "&start=" + start.getEpochSecond() + "&end=" + end.getEpochSecond()
                + "&step=" + stepSeconds;
        ApiResponse response = session.connection().http().send("POST", URI.create(queryEndpointByPath() + "/api/v1/query_range"),
                Map.of("Authorization", "Bearer " + session.connection().tokens().token(MONITOR_SCOPE).value(),
                        "Content-Type", "application/x-www-form-urlencoded"),
                form.getBytes(StandardCharsets.UTF_8));
        if (!response.ok()) {
            throw HttpTransport.error(response);
        }
        JsonNode result = response.body().path("data").path("result");
        List<Map.Entry<Instant, Double>> points = new ArrayList<>();
        if (result.isArray() && !result.isEmpty()) {
            for (JsonNode value : result.get(0).path("values")) {
                double v;
                try {
                    v = Double.parseDouble(value.get(1).asText());
                } catch (NumberFormatException e) {
                    throw new CliException("BadAnswer", "the query endpoint answered a value that is not a number: " + value);
                }
                // 0/0 (an error rate without traffic) is NaN: a gap, not a number to chart or print as JSON.
                if (!Double.isNaN(v) && !Double.isInfinite(v)) {
                    points.add(Map.entry(Instant.ofEpochSecond(value.get(0).asLong()), v));
                }
            }
        }
        return points;
    }
}
