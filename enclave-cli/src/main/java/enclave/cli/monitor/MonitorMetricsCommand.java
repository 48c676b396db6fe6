package enclave.cli.monitor;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.console.CliException;
import enclave.cli.session.Session;
import enclave.cli.session.WorkspaceOptions;
import enclave.cli.session.WorkspaceScope;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code enclave monitor metrics -n ENDPOINT}: the endpoint's main figures (requests per second, p50/p99 latency, error
 * rate) over the last minutes, as sparklines for people who would rather look than read; {@code -o json} gives the numbers.
 */
@Command(name = "metrics", description = "Show an endpoint's requests/s, p50/p99 latency and error rate over the last minutes, as a small chart.")
public final class MonitorMetricsCommand implements Callable<Integer> {
    private static final String BARS = "▁▂▃▄▅▆▇█";
    private final Session session;

    @Option(names = {"-n", "--name"}, required = true, paramLabel = "ENDPOINT", description = "Online endpoint name.")
    String endpoint;

    @Option(names = "--minutes", defaultValue = "10", description = "How far back to look (default: ${DEFAULT-VALUE}).")
    int minutes;

    @Mixin
    WorkspaceOptions scope;

    public MonitorMetricsCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        if (minutes < 1 || minutes > 24 * 60) {
            throw CliException.usage("--minutes must be between 1 and 1440");
        }
        WorkspaceScope workspace = session.workspace(scope);
        EndpointMetrics metrics = EndpointMetrics.find(session, workspace, endpoint).orElseThrow(() -> CliException.user("workspace '"
                + workspace.workspace() + "' is not linked to a monitor account, so no metrics of '" + endpoint + "' are kept; link one: "
                + "enclave monitor account create -n <account> -g " + workspace.group() + " && enclave monitor account link -n <account> -g "
                + workspace.group() + " --workspace " + workspace.workspace()));
        Instant end = Instant.now();
        Instant start = end.minusSeconds(minutes * 60L);
        long step = Math.max(5, minutes * 60L / 60);
        Map<String, List<Map.Entry<Instant, Double>>> figures = new LinkedHashMap<>();
        figures.put("requestsPerSecond", metrics.range(metrics.requestsPerSecond(), start, end, step));
        figures.put("latencyP50Seconds", metrics.range(metrics.latencyQuantile(0.5), start, end, step));
        figures.put("latencyP99Seconds", metrics.range(metrics.latencyQuantile(0.99), start, end, step));
        figures.put("errorRate", metrics.range(metrics.errorRate(), start, end, step));

        if (session.structuredOutputRequested()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            out.put("endpoint", endpoint);
            out.put("account", metrics.account().path("id").asText());
            out.put("queryEndpoint", metrics.queryEndpoint());
            out.put("minutes", minutes);
            out.put("stepSeconds", step);
            figures.forEach((name, points) -> {
                ObjectNode figure = out.putObject(name);
                if (points.isEmpty()) {
                    figure.putNull("latest");
                } else {
                    figure.put("latest", points.getLast().getValue());
                }
                ArrayNode values = figure.putArray("values");
                points.forEach(p -> values.addArray().add(p.getKey().getEpochSecond()).add(p.getValue()));
            });
            session.output().print(out);
            return 0;
        }
        StringBuilder text = new StringBuilder();
        text.append("endpoint ").append(endpoint).append(" · last ").append(minutes).append(" min · monitor account ")
                .append(metrics.account().path("name").asText()).append('\n');
        line(text, "requests/s", figures.get("requestsPerSecond"), v -> String.format(Locale.ROOT, "%.2f/s", v));
        line(text, "p50 latency", figures.get("latencyP50Seconds"), v -> String.format(Locale.ROOT, "%.1f ms", v * 1000));
        line(text, "p99 latency", figures.get("latencyP99Seconds"), v -> String.format(Locale.ROOT, "%.1f ms", v * 1000));
        line(text, "error rate", figures.get("errorRate"), v -> String.format(Locale.ROOT, "%.1f %%", v * 100));
        session.output().printText(text.toString());
        return 0;
    }

    private static void line(StringBuilder text, String label, List<Map.Entry<Instant, Double>> points, java.util.function.DoubleFunction<String> format) {
        text.append(String.format(Locale.ROOT, "%-12s ", label));
        List<Double> values = points.stream().map(Map.Entry::getValue).filter(v -> !v.isNaN() && !v.isInfinite()).toList();
        if (values.isEmpty()) {
            text.append("(no data yet)\n");
            return;
        }
        text.append(sparkline(values)).append("  ").append(format.apply(values.getLast()))
                .append("  (max ").append(format.apply(values.stream().mapToDouble(Double::doubleValue).max().orElse(0))).append(")\n");
    }

    /** One character per value, scaled from the smallest (▁) to the largest (█). */
    static String sparkline(List<Double> values) {
        double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        StringBuilder line = new StringBuilder();
        for (double v : values) {
            int index = max == min ? (max == 0 ? 0 : BARS.length() - 1) : (int) Math.round((v - min) / (max - min) * (BARS.length() - 1));
            line.append(BARS.charAt(index));
        }
        return line.toString();
    }
}
