package enclave.monitor.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.authz.Authorizer;
import enclave.authz.Decision;
import enclave.core.Json;
import enclave.core.ResourceId;
import enclave.core.http.Caller;
import enclave.identity.Audiences;
import enclave.identity.Principal;
import enclave.identity.PrincipalKind;
import enclave.identity.SigningKeys;
import enclave.identity.TokenService;
import enclave.monitor.account.MonitorAccount;
import enclave.monitor.account.MonitorAccounts;
import enclave.monitor.account.QueryEndpoints;
import enclave.monitor.engine.PrometheusEngine;
import enclave.store.Database;
import enclave.store.JdbcResourceStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The query front door over real HTTP, with no Prometheus installed: every refusal comes in the order the request path
 * promises (network → token audience → data role), and a request that passes them all is told how to install Prometheus.
 */
class MonitorQueryApiTest {
    private static final String READER = "reader-object-id";

    @TempDir
    static Path temp;

    private static Database database;
    private static Server server;
    private static TokenService tokens;
    private static String openPath;
    private static String closedPath;
    private static final HttpClient http = HttpClient.newHttpClient();
    // The API needs the port the server got, so the handler (set before start) reaches it through this field.
    private static volatile MonitorQueryApi api;

    @BeforeAll
    static void start() throws Exception {
        database = Database.open(temp.resolve("db"));
        MonitorAccounts accounts = new MonitorAccounts(new JdbcResourceStore(database.dataSource()), workspace -> true, Clock.systemUTC());
        MonitorAccount open = accounts.createOrUpdate(MonitorAccounts.id("s", "rg", "amw-open"), "local", Map.of(), Optional.empty());
        MonitorAccount closed = accounts.createOrUpdate(MonitorAccounts.id("s", "rg", "amw-closed"), "local", Map.of(), Optional.of("Disabled"));
        tokens = new TokenService(SigningKeys.open(temp.resolve("keys")), "https://issuer", "tenant", Clock.systemUTC());
        // only READER holds the data action, and only on the open account
        Authorizer authorizer = new Authorizer() {
            @Override
            public Decision check(Caller caller, String action, ResourceId scope) {
                return new Decision.Denied("no control-plane action is needed here");
            }

            @Override
            public Decision checkData(Caller caller, String dataAction, ResourceId scope) {
                return caller.objectId().equals(READER) && dataAction.equals(MonitorQueryApi.READ_ACTION) && scope.key().equals(open.resourceId().key())
                        ? new Decision.Allowed("test") : new Decision.Denied("no role grants it");
            }
        };
        PrometheusEngine missing = new PrometheusEngine(Optional.empty(), temp.resolve("monitor"), "127.0.0.1:1", "/scrape/", temp.resolve("ca.pem"));
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                if (!api.accepts(request)) {
                    return false;
                }
                api.handle(NetworkAccessCheck.publicListener(true, "the public listener"), request, response, callback, UUID.randomUUID().toString());
                return true;
            }
        });
        server.start();
        String base = "http://127.0.0.1:" + connector.getLocalPort();
        QueryEndpoints endpoints = new QueryEndpoints("local", QueryEndpoints.DEFAULT_DOMAIN, connector.getLocalPort(), base);
        api = new MonitorQueryApi(accounts, missing, endpoints, tokens, authorizer);
        openPath = endpoints.pathUrl(open);
        closedPath = endpoints.pathUrl(closed);
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
        database.close();
    }

    private static String token(String objectId, String audience) {
        return tokens.issue(new Principal(objectId, "tenant", PrincipalKind.SERVICE_PRINCIPAL, Optional.of(objectId), objectId), audience,
                Duration.ofMinutes(5)).accessToken();
    }

    private static HttpResponse<String> get(String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String code(HttpResponse<String> response) throws Exception {
        JsonNode body = Json.MAPPER.readTree(response.body());
        return response.statusCode() + " " + body.at("/error/code").asText();
    }

    @Test
    void refusalsComeInTheOrderOfTheRequestPath() throws Exception {
        String query = "/api/v1/query?query=up";
        assertThat(code(get(closedPath + query, token(READER, Audiences.MONITOR)))).isEqualTo("403 PublicNetworkAccessDisabled");
        assertThat(code(get(closedPath + query, null))).as("network before authentication").isEqualTo("403 PublicNetworkAccessDisabled");
        assertThat(code(get(openPath + query, null))).isEqualTo("401 AuthenticationFailed");
        assertThat(get(openPath + query, token(READER, Audiences.MANAGEMENT)).statusCode()).isEqualTo(401);
        assertThat(code(get(openPath + query, token("someone-else", Audiences.MONITOR)))).isEqualTo("403 AuthorizationFailed");
        assertThat(code(get(openPath + "/api/v1/admin/tsdb/snapshot", token(READER, Audiences.MONITOR)))).isEqualTo("404 ResourceNotFound");
        // a /monitor/ path naming no account is not the front door's (it could be a storage account named "monitor"): it passes it on
        assertThat(get(openPath.replace("amw-open", "amw-nope") + query, token(READER, Audiences.MONITOR)).body()).doesNotContain("\"error\"");
    }

    @Test
    void withoutPrometheusAQueryIsToldHowToInstallIt() throws Exception {
        HttpResponse<String> response = get(openPath + "/api/v1/query?query=up", token(READER, Audiences.MONITOR));
        assertThat(code(response)).isEqualTo("503 ServiceUnavailable");
        assertThat(response.body()).contains("scripts/install-deps").contains("apt-get install prometheus");
    }
}
