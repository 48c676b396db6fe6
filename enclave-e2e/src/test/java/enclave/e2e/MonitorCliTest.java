package enclave.e2e;

import static enclave.e2e.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Monitor workspaces end to end: scoring traffic becomes Prometheus series (scraped by a real Prometheus per account every
 * 5 s), PromQL through the gateway's query front door (path and host style) returns them, only
 * monitor-audience tokens with the data role get in, one workspace's account never holds another's series, and public
 * network access Disabled closes the public path.
 */
class MonitorCliTest {
    private static final String MONITOR = "https://prometheus.monitor.azure.com/.default";
    private static final Duration SCRAPED = Duration.ofSeconds(60);
    private static TestServer enclave;
    private static Cli cli;
    private static JsonNode accountA;
    private static JsonNode accountB;
    private static String wsA;
    private static String wsB;

    @TempDir
    static Path files;

    @BeforeAll
    static void start() throws Exception {
        enclave = TestServer.start();
        cli = new Cli(enclave.home);
        cli.run("group", "create", "-n", "mon-rg").ok();
        wsA = cli.run("ml", "workspace", "create", "-n", "ws-a", "-g", "mon-rg").ok().json().get("id").asText().toLowerCase();
        wsB = cli.run("ml", "workspace", "create", "-n", "ws-b", "-g", "mon-rg").ok().json().get("id").asText().toLowerCase();
        cli.run("configure", "--defaults", "group=mon-rg", "workspace=ws-a").ok();
        Toolbox.deploy(cli, files, "ep-a", 1, "");
        cli.run("configure", "--defaults", "workspace=ws-b").ok();
        Toolbox.deploy(cli, files, "ep-b", 1, "");
        cli.run("configure", "--defaults", "workspace=ws-a").ok();

        cli.run("monitor", "account", "create", "-n", "amw-a").ok();
        cli.run("monitor", "account", "create", "-n", "amw-b").ok();
        accountA = cli.run("monitor", "account", "link", "-n", "amw-a", "--workspace", "ws-a").ok().json();
        accountB = cli.run("monitor", "account", "link", "-n", "amw-b", "--workspace", "ws-b").ok().json();
        // Owner, as in Azure, holds no data actions: reading metrics takes Monitoring Data Reader on the account.
        String admin = enclave.admin.get("clientId").asText();
        cli.run("role", "assignment", "create", "--assignee", admin, "--role", "Monitoring Data Reader", "--scope", accountA.get("id").asText()).ok();
    }

    @AfterAll
    static void stop() throws Exception {
        enclave.close();
    }

    @Test
    void anAccountHasAnAzureShapedQueryEndpointAndAWorkspaceLinksToOneAccount() throws Exception {
        JsonNode shown = cli.run("monitor", "account", "show", "-n", "amw-a").ok().json();
        assertThat(shown.get("type").asText()).isEqualTo("Microsoft.Monitor/accounts");
        assertThat(shown.at("/properties/accountId").asText()).matches("[0-9a-f-]{36}");
        assertThat(shown.at("/properties/publicNetworkAccess").asText()).isEqualTo("Enabled");
        assertThat(shown.at("/properties/metrics/prometheusQueryEndpoint").asText())
                .matches("https://amw-a-[0-9a-f]{8}\\.local\\.prometheus\\.monitor\\.azure\\.com:" + URI.create(enclave.server.gatewayUrl()).getPort());
        assertThat(shown.at("/properties/linkedWorkspaces").get(0).asText()).isEqualTo(wsA);
        assertThat(cli.run("monitor", "account", "list", "--query", "[].name", "-o", "tsv").ok().out().lines().sorted().toList())
                .containsExactly("amw-a", "amw-b");

        Cli.Result taken = cli.run("monitor", "account", "link", "-n", "amw-b", "--workspace", "ws-a");
        assertThat(taken.exit()).isEqualTo(1);
        assertThat(taken.err()).contains("(Conflict)").contains("already linked to monitor account 'amw-a'");
        Cli.Result noWorkspace = cli.run("monitor", "account", "link", "-n", "amw-b", "--workspace", "nope");
        assertThat(noWorkspace.exit()).isEqualTo(1);
        assertThat(noWorkspace.err()).contains("(WorkspaceNotFound)");
    }

    @Test
    void scoringTrafficBecomesSeriesThatPromqlReturnsThroughTheFrontDoor() throws Exception {
        String key = cli.run("ml", "online-endpoint", "get-credentials", "-n", "ep-a", "-w", "ws-a", "--query", "primaryKey", "-o", "tsv").ok().out().strip();
        for (int i = 0; i < 5; i++) {
            assertThat(enclave.score("ep-a", key, "{}", Map.of()).statusCode()).isEqualTo(200);
        }
        assertThat(enclave.score("ep-a", "wrong-key", "{}", Map.of()).statusCode()).isEqualTo(401);

        String token = enclave.token(MONITOR);
        Awaitility.await().atMost(SCRAPED).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode result = query(accountA, "enclave_requests_total{endpoint=\"ep-a\",status_code=\"200\"}", token);
            assertThat(result.at("/data/result")).hasSize(1);
            assertThat(result.at("/data/result/0/value/1").asDouble()).isGreaterThanOrEqualTo(5);
            assertThat(result.at("/data/result/0/metric/deployment").asText()).isEqualTo("blue");
            assertThat(result.at("/data/result/0/metric/workspace").asText()).isEqualTo(wsA);
        });
        Awaitility.await().atMost(SCRAPED).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(query(accountA, "enclave_auth_failures_total{endpoint=\"ep-a\",reason=\"invalid_credential\"}", token).at("/data/result/0/value/1")
                    .asDouble()).isGreaterThanOrEqualTo(1);
            assertThat(query(accountA, "enclave_worker_memory_bytes{endpoint=\"ep-a\"}", token).at("/data/result/0/value/1").asDouble()).isGreaterThan(1_000_000);
            assertThat(query(accountA, "enclave_request_duration_seconds_count{endpoint=\"ep-a\"}", token).at("/data/result/0/value/1").asDouble())
                    .isGreaterThanOrEqualTo(6);
            assertThat(query(accountA, "enclave_queue_depth{endpoint=\"ep-a\"}", token).at("/data/result")).hasSize(1);
            assertThat(query(accountA, "enclave_up", token).at("/data/result/0/value/1").asText()).isEqualTo("1");
        });

        // the other read endpoints of the API, GET and POST
        HttpResponse<String> labels = get(pathUrl(accountA) + "/api/v1/label/endpoint/values", token);
        assertThat(labels.statusCode()).isEqualTo(200);
        assertThat(json(labels).get("data").toString()).contains("ep-a").doesNotContain("ep-b");
        HttpResponse<String> series = post(pathUrl(accountA) + "/api/v1/series", "match[]=" + enc("enclave_requests_total"), token);
        assertThat(series.statusCode()).as(series.body()).isEqualTo(200);
        assertThat(json(series).get("data")).isNotEmpty();
        assertThat(json(get(pathUrl(accountA) + "/api/v1/labels", token)).get("data").toString()).contains("workspace").contains("status_code");
        long now = System.currentTimeMillis() / 1000;
        HttpResponse<String> range = get(pathUrl(accountA) + "/api/v1/query_range?query=" + enc("sum(enclave_requests_total)") + "&start=" + (now - 120)
                + "&end=" + now + "&step=5", token);
        assertThat(json(range).at("/data/resultType").asText()).isEqualTo("matrix");
        // Prometheus' admin API stays behind the door
        assertThat(post(pathUrl(accountA) + "/api/v1/admin/tsdb/delete_series", "match[]=up", token).statusCode()).isEqualTo(404);

        // the endpoint links to its metrics, and `monitor metrics` shows them
        JsonNode endpoint = cli.run("ml", "online-endpoint", "show", "-n", "ep-a").ok().json();
        assertThat(endpoint.at("/properties/metricsQuery/prometheusQueryEndpoint").asText()).isEqualTo(accountA.at("/properties/metrics/prometheusQueryEndpoint").asText());
        assertThat(endpoint.at("/properties/metricsQuery/chart").asText()).startsWith("enclave monitor metrics -n ep-a");
        // rate() needs a counter to grow between two scrapes: keep traffic (and one refusal per round) flowing while we look
        Awaitility.await().atMost(SCRAPED).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            assertThat(enclave.score("ep-a", key, "{}", Map.of()).statusCode()).isEqualTo(200);
            assertThat(enclave.score("ep-a", key, "{}", Map.of()).statusCode()).isEqualTo(200);
            assertThat(enclave.score("ep-a", "wrong-key", "{}", Map.of()).statusCode()).isEqualTo(401);
            JsonNode figures = cli.run("monitor", "metrics", "-n", "ep-a", "--minutes", "5", "-o", "json").ok().json();
            assertThat(figures.at("/requestsPerSecond/latest").isNumber()).as(figures.toString()).isTrue();
            assertThat(figures.at("/latencyP99Seconds/latest").asDouble()).isGreaterThan(0);
            double maxErrorRate = 0;
            for (JsonNode point : figures.at("/errorRate/values")) {
                maxErrorRate = Math.max(maxErrorRate, point.get(1).asDouble());
            }
            // one 401 among three requests a round
            assertThat(maxErrorRate).isGreaterThan(0).isLessThan(1);
        });
        assertThat(enclave.score("ep-a", key, "{}", Map.of()).statusCode()).isEqualTo(200);
        String chart = cli.run("monitor", "metrics", "-n", "ep-a", "--minutes", "5").ok().out();
        assertThat(chart).contains("requests/s").contains("p99 latency").contains("error rate").containsPattern("[▁▂▃▄▅▆▇█]+ +[0-9.]+/s");

        Cli.Result unlinked = cli.run("monitor", "metrics", "-n", "ep-x", "-w", "ws-none");
        assertThat(unlinked.exit()).isEqualTo(1);
        assertThat(unlinked.err()).contains("is not linked to a monitor account").contains("enclave monitor account link");
    }

    @Test
    void theQueryHostAnswersWithCertificateChecksOn() throws Exception {
        // by host, as Azure names it, with certificate checks on (the gateway's certificate covers *.<region>.prometheus.monitor.azure.com)
        URI query = URI.create(accountA.at("/properties/metrics/prometheusQueryEndpoint").asText());
        String token = enclave.token(MONITOR);
        Awaitility.await().atMost(SCRAPED).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            NetworkTools.Answer answer = NetworkTools.curl(enclave.server.caFile(), query + "/api/v1/query?query=enclave_up", "127.0.0.1",
                    List.of("Authorization: Bearer " + token), null);
            assertThat(answer.body()).contains("\"status\":\"success\"").contains("\"enclave_up\"");
        });
    }

    @Test
    void promtoolQueriesTheFrontDoorWithTheTokenAsBasicPassword() throws Exception {
        // promtool 2.42 cannot send a bearer header, but Go sends a URL's user info as basic auth, and the front door takes its
        // password as the token; SSL_CERT_FILE makes Go trust the platform CA.
        String token = enclave.token(MONITOR);
        String server = pathUrl(accountA).replace("https://", "https://token:" + token + "@");
        Awaitility.await().atMost(SCRAPED).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            ProcessBuilder builder = new ProcessBuilder("promtool", "query", "instant", server, "enclave_up").redirectErrorStream(true);
            builder.environment().put("SSL_CERT_FILE", enclave.server.caFile().toString());
            Process promtool = builder.start();
            String out = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(out).as(out).contains("enclave_up").contains("=> 1");
        });
        // a wrong token in the same place is refused
        ProcessBuilder wrong = new ProcessBuilder("promtool", "query", "instant", pathUrl(accountA).replace("https://", "https://token:nonsense@"),
                "enclave_up").redirectErrorStream(true);
        wrong.environment().put("SSL_CERT_FILE", enclave.server.caFile().toString());
        Process refused = wrong.start();
        String out = new String(refused.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(refused.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(refused.exitValue()).as(out).isNotZero();
    }

    @Test
    void onlyMonitorAudienceTokensWithTheDataRoleGetIn() throws Exception {
        String url = pathUrl(accountA) + "/api/v1/query?query=up";
        HttpResponse<String> none = get(url, null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.body()).contains(MONITOR.replace("/.default", ""));
        for (String scope : List.of("https://management.azure.com/.default", "https://storage.azure.com/.default", "https://ml.azure.com/.default")) {
            HttpResponse<String> other = get(url, enclave.token(scope));
            assertThat(other.statusCode()).as(scope).isEqualTo(401);
        }
        // a principal without the data role: refused on the account, naming the data action
        // Reader on the account: it may see the account, not read its data
        JsonNode sp = cli.run("ad", "sp", "create-for-rbac", "-n", "mon-outsider", "--role", "Reader", "--scopes", accountA.get("id").asText()).ok().json();
        String outsider = enclave.token(sp.get("appId").asText(), sp.get("password").asText(), MONITOR);
        HttpResponse<String> forbidden = get(url, outsider);
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(json(forbidden).at("/error/code").asText()).isEqualTo("AuthorizationFailed");
        assertThat(json(forbidden).at("/error/message").asText()).contains("Microsoft.Monitor/accounts/data/metrics/read");
    }

    @Test
    void oneWorkspacesAccountCannotReadAnothersSeries() throws Exception {
        String keyB = cli.run("ml", "online-endpoint", "get-credentials", "-n", "ep-b", "-w", "ws-b", "--query", "primaryKey", "-o", "tsv").ok().out().strip();
        assertThat(enclave.score("ep-b", keyB, "{}", Map.of()).statusCode()).isEqualTo(200);
        String keyA = cli.run("ml", "online-endpoint", "get-credentials", "-n", "ep-a", "-w", "ws-a", "--query", "primaryKey", "-o", "tsv").ok().out().strip();
        assertThat(enclave.score("ep-a", keyA, "{}", Map.of()).statusCode()).isEqualTo(200);
        String token = enclave.token(MONITOR);

        // the admin may read amw-a only: amw-b refuses
        HttpResponse<String> refused = get(pathUrl(accountB) + "/api/v1/query?query=up", token);
        assertThat(refused.statusCode()).isEqualTo(403);

        String admin = enclave.admin.get("clientId").asText();
        cli.run("role", "assignment", "create", "--assignee", admin, "--role", "Monitoring Data Reader", "--scope", accountB.get("id").asText()).ok();
        Awaitility.await().atMost(SCRAPED).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(query(accountB, "enclave_requests_total{endpoint=\"ep-b\"}", token).at("/data/result")).isNotEmpty();
            assertThat(query(accountA, "enclave_requests_total{endpoint=\"ep-a\"}", token).at("/data/result")).isNotEmpty();
        });
        List<String> workspacesInB = new ArrayList<>();
        query(accountB, "count by (workspace) ({workspace!=\"\"})", token).at("/data/result").forEach(r -> workspacesInB.add(r.at("/metric/workspace").asText()));
        assertThat(workspacesInB).containsExactly(wsB);
        List<String> workspacesInA = new ArrayList<>();
        query(accountA, "count by (workspace) ({workspace!=\"\"})", token).at("/data/result").forEach(r -> workspacesInA.add(r.at("/metric/workspace").asText()));
        assertThat(workspacesInA).containsExactly(wsA);
        assertThat(query(accountB, "enclave_requests_total{endpoint=\"ep-a\"}", token).at("/data/result")).isEmpty();

        // the scrape endpoint itself only answers an account's own Prometheus
        HttpResponse<String> scrape = enclave.http.send(HttpRequest.newBuilder(URI.create(enclave.server.managementUrl() + "/enclave/metrics/accounts/"
                + accountB.at("/properties/accountId").asText())).header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(scrape.statusCode()).isEqualTo(401);
    }

    @Test
    void publicNetworkAccessDisabledRefusesThePublicPath() throws Exception {
        cli.run("monitor", "account", "create", "-n", "amw-closed").ok();
        JsonNode closed = cli.run("monitor", "account", "update", "-n", "amw-closed", "--public-network-access", "Disabled").ok().json();
        assertThat(closed.at("/properties/publicNetworkAccess").asText()).isEqualTo("Disabled");
        String admin = enclave.admin.get("clientId").asText();
        cli.run("role", "assignment", "create", "--assignee", admin, "--role", "Monitoring Data Reader", "--scope", closed.get("id").asText()).ok();
        String token = enclave.token(MONITOR);

        HttpResponse<String> refused = get(pathUrl(closed) + "/api/v1/query?query=up", token);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(json(refused).at("/error/code").asText()).isEqualTo("PublicNetworkAccessDisabled");
        assertThat(json(refused).at("/error/message").asText()).contains("public listener").contains("private endpoint");
        // before authentication: even without a token the answer is the network rule's
        assertThat(json(get(pathUrl(closed) + "/api/v1/query?query=up", null)).at("/error/code").asText()).isEqualTo("PublicNetworkAccessDisabled");

        cli.run("monitor", "account", "update", "-n", "amw-closed", "--public-network-access", "Enabled").ok();
        Awaitility.await().atMost(SCRAPED).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(get(pathUrl(closed) + "/api/v1/query?query=up", token).statusCode()).isEqualTo(200));
    }

    @Test
    void theEngineComesBackWhenItDiesAndGoesAwayWithTheAccount() throws Exception {
        JsonNode account = cli.run("monitor", "account", "create", "-n", "amw-temp").ok().json();
        String admin = enclave.admin.get("clientId").asText();
        cli.run("role", "assignment", "create", "--assignee", admin, "--role", "Monitoring Data Reader", "--scope", account.get("id").asText()).ok();
        String token = enclave.token(MONITOR);
        Path dir = enclave.home.resolve("monitor").resolve(account.at("/properties/accountId").asText());
        Awaitility.await().atMost(SCRAPED).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(get(pathUrl(account) + "/api/v1/query?query=enclave_up", token).statusCode()).isEqualTo(200));
        long pid = Long.parseLong(Files.readString(dir.resolve("prometheus.pid")).strip());
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        Awaitility.await().atMost(SCRAPED).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertThat(Files.readString(dir.resolve("prometheus.pid")).strip()).isNotEqualTo(Long.toString(pid));
            assertThat(get(pathUrl(account) + "/api/v1/query?query=enclave_up", token).statusCode()).isEqualTo(200);
        });
        long second = Long.parseLong(Files.readString(dir.resolve("prometheus.pid")).strip());

        cli.run("monitor", "account", "delete", "-n", "amw-temp", "-y").ok();
        assertThat(ProcessHandle.of(second).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(dir).doesNotExist();
        assertThat(get(pathUrl(account) + "/api/v1/query?query=up", token).statusCode()).isEqualTo(404);
    }

    private static String pathUrl(JsonNode account) {
        return account.at("/properties/metrics/prometheusQueryEndpointByPath").asText();
    }

    private static JsonNode query(JsonNode account, String promql, String token) throws Exception {
        HttpResponse<String> response = get(pathUrl(account) + "/api/v1/query?query=" + enc(promql), token);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    private static HttpResponse<String> get(String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return enclave.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String url, String form, String token) throws Exception {
        return enclave.http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
