package enclave.e2e;

import static enclave.e2e.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A monitor account's Prometheus lives and dies with the platform, and deleted workspaces leave no links behind. */
class MonitorRestartTest {
    private static TestServer enclave;
    private static Cli cli;

    @BeforeAll
    static void start() throws Exception {
        enclave = TestServer.start();
        cli = new Cli(enclave.home);
        cli.useNewGroup("mr-rg");
    }

    @AfterAll
    static void stop() throws Exception {
        enclave.close();
    }

    @Test
    void thePrometheusOfAnAccountStopsWithTheServerAndStartsWithItAgain() throws Exception {
        JsonNode account = cli.run("monitor", "account", "create", "-n", "amw-r").ok().json();
        String admin = enclave.admin.get("clientId").asText();
        cli.run("role", "assignment", "create", "--assignee", admin, "--role", "Monitoring Data Reader", "--scope", account.get("id").asText()).ok();
        Path pidFile = enclave.home.resolve("monitor").resolve(account.at("/properties/accountId").asText()).resolve("prometheus.pid");
        awaitAnswer();
        long before = Long.parseLong(Files.readString(pidFile).strip());

        enclave.restart();
        assertThat(ProcessHandle.of(before).map(ProcessHandle::isAlive).orElse(false)).as("stopped with the server").isFalse();
        awaitAnswer();
        assertThat(Long.parseLong(Files.readString(pidFile).strip())).isNotEqualTo(before);
    }

    @Test
    void deletingAWorkspaceUnlinksIt() throws Exception {
        cli.run("ml", "workspace", "create", "-n", "ws-gone").ok();
        cli.run("monitor", "account", "create", "-n", "amw-links").ok();
        assertThat(cli.run("monitor", "account", "link", "-n", "amw-links", "--workspace", "ws-gone").ok().json().at("/properties/linkedWorkspaces"))
                .hasSize(1);
        cli.run("ml", "workspace", "delete", "-n", "ws-gone", "-y").ok();
        assertThat(cli.run("monitor", "account", "show", "-n", "amw-links").ok().json().at("/properties/linkedWorkspaces")).isEmpty();
    }

    private static void awaitAnswer() throws Exception {
        String token = enclave.token("https://prometheus.monitor.azure.com/.default");
        // the path-style URL carries the gateway's port, which a restart changes: read it again each time
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            String url = cli.run("monitor", "account", "show", "-n", "amw-r").ok().json().at("/properties/metrics/prometheusQueryEndpointByPath").asText();
            HttpResponse<String> response = enclave.http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/query?query=enclave_up"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(json(response).at("/data/result/0/value/1").asText()).isEqualTo("1");
        });
    }
}
