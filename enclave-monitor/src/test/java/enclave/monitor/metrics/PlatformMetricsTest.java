package enclave.monitor.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import enclave.core.metrics.SeriesKey;
import enclave.core.metrics.ServingMetrics.AuthFailure;
import enclave.core.metrics.ServingMetrics.DeploymentSample;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlatformMetricsTest {
    private static final String WS_A = "/subscriptions/s/resourcegroups/rg/providers/microsoft.machinelearningservices/workspaces/a";
    private static final String WS_B = "/subscriptions/s/resourcegroups/rg/providers/microsoft.machinelearningservices/workspaces/b";

    private final PlatformMetrics metrics = new PlatformMetrics(() -> List.of(
            new DeploymentSample(new SeriesKey(WS_A, "ep-a", "blue"), 3, 2, List.of(ProcessHandle.current().pid())),
            new DeploymentSample(new SeriesKey(WS_B, "ep-b", "green"), 0, 0, List.of())), ProcessStats.linux());

    private String scrape(Set<String> workspaces) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.writeWorkspaces(workspaces, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anAccountsScrapeHoldsItsWorkspacesSeriesAndNoOthers() throws Exception {
        metrics.requestCompleted(new SeriesKey(WS_A, "ep-a", "blue"), 200, 2_000_000);
        metrics.requestCompleted(new SeriesKey(WS_A, "ep-a", "blue"), 429, 1_000_000);
        metrics.requestCompleted(new SeriesKey(WS_B, "ep-b", "green"), 200, 1_000_000);
        metrics.authFailed(new SeriesKey(WS_B, "ep-b", ""), AuthFailure.invalid_credential);

        String a = scrape(Set.of(WS_A));
        assertThat(a).contains("enclave_requests_total{deployment=\"blue\",endpoint=\"ep-a\",status_code=\"200\",workspace=\"" + WS_A + "\"} 1.0")
                .contains("enclave_requests_rejected_total{deployment=\"blue\",endpoint=\"ep-a\",workspace=\"" + WS_A + "\"} 1.0")
                .contains("enclave_queue_depth{deployment=\"blue\",endpoint=\"ep-a\",workspace=\"" + WS_A + "\"} 3.0")
                .contains("enclave_worker_restarts_total{deployment=\"blue\",endpoint=\"ep-a\",workspace=\"" + WS_A + "\"} 2.0")
                .contains("enclave_request_duration_seconds_bucket{deployment=\"blue\",endpoint=\"ep-a\",workspace=\"" + WS_A + "\",le=\"0.0025\"} 2")
                .contains("enclave_up 1.0")
                .contains("enclave_jvm_memory_used_bytes{area=\"heap\"}")
                .doesNotContain(WS_B).doesNotContain("ep-b")
                // a metric with no series for this account says nothing about others
                .doesNotContain("enclave_auth_failures_total");
        assertThat(scrape(Set.of(WS_B))).contains("ep-b").contains("enclave_auth_failures_total").doesNotContain(WS_A);
        assertThat(scrape(Set.of())).contains("enclave_up").doesNotContain("workspace=");
    }

    @Test
    void aRunningDeploymentHasItsRequestSeriesAtZeroBeforeItsFirstRequest() throws Exception {
        // so that the first requests after a deploy show up in rate(): Prometheus needs the counter's zero to see an increase
        assertThat(scrape(Set.of(WS_B)))
                .contains("enclave_requests_total{deployment=\"green\",endpoint=\"ep-b\",status_code=\"200\",workspace=\"" + WS_B + "\"} 0.0")
                .contains("enclave_request_duration_seconds_count{deployment=\"green\",endpoint=\"ep-b\",workspace=\"" + WS_B + "\"} 0");
    }

    @Test
    void workerMemoryAndCpuComeFromProc() throws Exception {
        String a = scrape(Set.of(WS_A));
        String memory = a.lines().filter(l -> l.startsWith("enclave_worker_memory_bytes{")).findFirst().orElseThrow();
        assertThat(Double.parseDouble(memory.substring(memory.lastIndexOf(' ') + 1))).isGreaterThan(1_000_000);
        String cpu = a.lines().filter(l -> l.startsWith("enclave_worker_cpu_seconds{")).findFirst().orElseThrow();
        assertThat(Double.parseDouble(cpu.substring(cpu.lastIndexOf(' ') + 1))).isGreaterThan(0);
        assertThat(ProcessStats.linux().residentBytes(Long.MAX_VALUE)).isEmpty();
    }
}
