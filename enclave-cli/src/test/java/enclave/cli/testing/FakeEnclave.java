package enclave.cli.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import enclave.core.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A hand-written stand-in for the Enclave server, just enough to drive the CLI's HTTP flows in-process: token
 * endpoint, ARM resources kept in a map, long-running operations that report a stage before they finish,
 * the blob service and a scoring endpoint. Its home holds the files a real server writes.
 */
public final class FakeEnclave implements AutoCloseable {
    public static final String SUBSCRIPTION = "00000000-0000-0000-0000-00000000000a";
    public static final String TENANT = "00000000-0000-0000-0000-00000000000b";
    public static final String PRIMARY_KEY = "primary-key-123";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final HttpsServer server;
    private final String base;
    public final Map<String, ObjectNode> resources = new ConcurrentHashMap<>();
    public final Map<String, JsonNode> lastPut = new ConcurrentHashMap<>();
    public final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    public final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    public final Set<String> failingDeployments = ConcurrentHashMap.newKeySet();
    private final Map<String, Deque<ObjectNode>> operations = new ConcurrentHashMap<>();
    /** Every form sent to the token endpoint, in order. */
    public final List<Map<String, String>> tokenForms = Collections.synchronizedList(new ArrayList<>());
    /** The body of every POST to checkAccess. */
    public final List<JsonNode> accessChecks = Collections.synchronizedList(new ArrayList<>());
    /** Directory entries ({@code objectId, displayName, appId?, userPrincipalName?, type}) with their secrets beside them. */
    private final List<ObjectNode> principals = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, String> secrets = new ConcurrentHashMap<>();
    /** Bearer tokens this fake accepts besides the admin's ({@code token:<scope>}): token → scope. */
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private final Map<String, String> refreshTokens = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> roleDefinitions = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> roleAssignments = new ConcurrentHashMap<>();
    private int issued;

    public static final String READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
    public static final String CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c";
    public static final String DATA_SCIENTIST = "f6c7c914-8db3-469d-8ca1-694a8f32e121";
    public static final String MANAGEMENT = "https://management.azure.com/.default";

    private FakeEnclave(HttpsServer server) {
        this.server = server;
        this.base = "https://127.0.0.1:" + server.getAddress().getPort();
        builtIn(READER, "Reader", List.of("*/read"));
        builtIn(CONTRIBUTOR, "Contributor", List.of("*"));
        builtIn(DATA_SCIENTIST, "AzureML Data Scientist", List.of("Microsoft.MachineLearningServices/workspaces/*/read",
                "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/*"));
    }

    private void builtIn(String guid, String name, List<String> actions) {
        String id = "/subscriptions/" + SUBSCRIPTION + "/providers/Microsoft.Authorization/roleDefinitions/" + guid;
        ObjectNode role = JSON.objectNode().put("id", id).put("name", guid).put("type", "Microsoft.Authorization/roleDefinitions");
        ObjectNode properties = role.putObject("properties").put("roleName", name).put("description", name + " role").put("type", "BuiltInRole");
        ArrayNode permission = properties.putArray("permissions").addObject().putArray("actions");
        actions.forEach(permission::add);
        properties.putArray("assignableScopes").add("/");
        roleDefinitions.put(id.toLowerCase(Locale.ROOT), role);
    }

    /** Makes the fake accept a bearer token minted elsewhere (a managed identity's) for a scope. */
    public void acceptToken(String token, String scope) {
        tokens.put(token, scope);
    }

    /** A directory entry by user principal name, app id or display name. */
    public ObjectNode principal(String name) {
        return findPrincipal(name).orElseThrow();
    }

    public static FakeEnclave start(Path home) throws Exception {
        Path tls = Files.createDirectories(home.resolve("tls"));
        Path keystore = tls.resolve("server.p12");
        keytool("-genkeypair", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "changeit", "-alias", "server",
                "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-ext", "bc=ca:true",
                "-validity", "2");
        keytool("-exportcert", "-rfc", "-keystore", keystore.toString(), "-storepass", "changeit", "-alias", "server",
                "-file", tls.resolve("ca.pem").toString());
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, "changeit".toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(keyManagers.getKeyManagers(), null, null);

        HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(ssl));
        FakeEnclave fake = new FakeEnclave(https);
        https.createContext("/", fake::handle);
        https.start();

        Files.writeString(home.resolve("admin.json"), """
                {"tenantId":"%s","subscriptionId":"%s","clientId":"admin","clientSecret":"s3cret","objectId":"o"}"""
                .formatted(TENANT, SUBSCRIPTION));
        Files.writeString(home.resolve("server.json"), """
                {"version":"test","pid":%d,"home":"%s","managementUrl":"%s","gatewayUrl":"%s","scoringUrlBase":"%s/endpoints",
                 "caFile":"%s","tenantId":"%s","subscriptionId":"%s","location":"local"}"""
                .formatted(ProcessHandle.current().pid(), home, fake.base, fake.base, fake.base, tls.resolve("ca.pem"), TENANT, SUBSCRIPTION));
        return fake;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
    }

    public String workspacePath(String group, String workspace) {
        return "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + group + "/providers/Microsoft.MachineLearningServices/workspaces/" + workspace;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery();
            byte[] body = exchange.getRequestBody().readAllBytes();
            requests.add(method + " " + path + (query.isEmpty() ? "" : "?" + query));
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (path.endsWith("/oauth2/v2.0/token")) {
                token(exchange, new String(body, StandardCharsets.UTF_8));
            } else if (path.equals("/enclave/info")) {
                send(exchange, 200, JSON.objectNode().put("version", "test"));
            } else if (path.startsWith("/stfake/")) {
                blob(exchange, method, path, query, body, authorization);
            } else if (path.startsWith("/endpoints/")) {
                score(exchange, path, body, authorization);
            } else if (!MANAGEMENT.equals(scopeOf(authorization))) {
                error(exchange, 401, "InvalidAuthenticationToken", "bad management token: " + authorization);
            } else if (!query.contains("api-version=2024-04-01")) {
                error(exchange, 400, "MissingApiVersionParameter", "api-version is required");
            } else if (path.startsWith("/" + TENANT + "/directory/")) {
                directory(exchange, method, path.substring(TENANT.length() + "/directory/".length() + 1), body);
            } else if (path.contains("/providers/Microsoft.Authorization/")) {
                authorization(exchange, method, path, query, body);
            } else {
                management(exchange, method, path, query, body);
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            throw e;
        }
    }

    private void token(HttpExchange exchange, String form) throws IOException {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : form.split("&")) {
            String[] parts = pair.split("=", 2);
            fields.put(URLDecoder.decode(parts[0], StandardCharsets.UTF_8), URLDecoder.decode(parts[1], StandardCharsets.UTF_8));
        }
        tokenForms.add(fields);
        String scope = fields.getOrDefault("scope", "");
        ObjectNode answer = JSON.objectNode().put("token_type", "Bearer").put("expires_in", 3600);
        switch (fields.getOrDefault("grant_type", "")) {
            case "client_credentials" -> {
                String client = fields.get("client_id");
                if ("admin".equals(client) && "s3cret".equals(fields.get("client_secret"))) {
                    answer.put("access_token", "token:" + scope);
                } else if (client != null && secrets.containsKey(client) && secrets.get(client).equals(fields.get("client_secret"))) {
                    answer.put("access_token", mint(client, scope));
                } else {
                    error(exchange, 401, "AuthenticationFailed", "invalid_client: the client id or secret is wrong");
                    return;
                }
            }
            case "password" -> {
                String user = fields.get("username");
                if (user == null || !secrets.containsKey(user) || !secrets.get(user).equals(fields.get("password"))) {
                    error(exchange, 401, "AuthenticationFailed", "invalid_grant: the user name or password is wrong");
                    return;
                }
                answer.put("access_token", mint(user, scope.replace(" offline_access", "")));
                answer.put("refresh_token", refresh(user));
            }
            case "refresh_token" -> {
                String user = refreshTokens.remove(fields.getOrDefault("refresh_token", ""));
                if (user == null) {
                    error(exchange, 401, "AuthenticationFailed", "invalid_grant: the refresh token is not valid; sign in again");
                    return;
                }
                answer.put("access_token", mint(user, scope));
                answer.put("refresh_token", refresh(user));
            }
            default -> {
                error(exchange, 400, "BadRequest", "unsupported_grant_type");
                return;
            }
        }
        send(exchange, 200, answer);
    }

    private synchronized String mint(String principal, String scope) {
        String token = "token:" + principal + ":" + scope + ":" + ++issued;
        tokens.put(token, scope);
        return token;
    }

    private synchronized String refresh(String user) {
        String token = "refresh-" + ++issued;
        refreshTokens.put(token, user);
        return token;
    }

    /** The scope of a bearer token this fake accepts, or null. */
    private String scopeOf(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return null;
        }
        String token = authorization.substring("Bearer ".length());
        if (tokens.containsKey(token)) {
            return tokens.get(token);
        }
        return token.startsWith("token:https://") ? token.substring("token:".length()) : null;
    }

    private void directory(HttpExchange exchange, String method, String rest, byte[] body) throws IOException {
        if (method.equals("POST") && (rest.equals("servicePrincipals") || rest.equals("users"))) {
            JsonNode request = Json.MAPPER.readTree(body);
            ObjectNode entry = JSON.objectNode().put("objectId", UUID.randomUUID().toString())
                    .put("displayName", request.path("displayName").asText());
            ObjectNode answer;
            if (rest.equals("servicePrincipals")) {
                String appId = UUID.randomUUID().toString();
                String password = "pw-" + UUID.randomUUID();
                entry.put("appId", appId).put("type", "ServicePrincipal");
                secrets.put(appId, password);
                answer = JSON.objectNode().put("appId", appId).put("displayName", entry.get("displayName").asText()).put("password", password)
                        .put("tenant", TENANT).put("objectId", entry.get("objectId").asText());
            } else {
                entry.put("userPrincipalName", request.path("userPrincipalName").asText()).put("type", "User");
                secrets.put(request.path("userPrincipalName").asText(), request.path("password").asText());
                answer = entry.deepCopy();
            }
            principals.add(entry);
            send(exchange, 201, answer);
        } else if (method.equals("GET") && (rest.equals("servicePrincipals") || rest.equals("users"))) {
            String type = rest.equals("users") ? "User" : "ServicePrincipal";
            ArrayNode value = JSON.arrayNode();
            principals.stream().filter(p -> p.path("type").asText().equals(type)).forEach(value::add);
            send(exchange, 200, JSON.objectNode().set("value", value));
        } else if (method.equals("GET") && rest.startsWith("principals/")) {
            String name = URLDecoder.decode(rest.substring("principals/".length()), StandardCharsets.UTF_8);
            Optional<ObjectNode> found = findPrincipal(name);
            if (found.isPresent()) {
                send(exchange, 200, found.get());
            } else {
                error(exchange, 404, "ResourceNotFound", "no user, service principal or identity is called '" + name + "'");
            }
        } else {
            error(exchange, 404, "ResourceNotFound", "no directory route " + method + " " + rest);
        }
    }

    private Optional<ObjectNode> findPrincipal(String name) {
        synchronized (principals) {
            return principals.stream().filter(p -> List.of("objectId", "appId", "userPrincipalName", "displayName").stream()
                    .anyMatch(field -> p.path(field).asText().equalsIgnoreCase(name))).findFirst();
        }
    }

    private void authorization(HttpExchange exchange, String method, String path, String query, byte[] body) throws IOException {
        String marker = "/providers/Microsoft.Authorization/";
        String scope = path.substring(0, path.indexOf(marker));
        String rest = path.substring(path.indexOf(marker) + marker.length());
        String filter = filter(query);
        String key = path.toLowerCase(Locale.ROOT);
        if (rest.equals("checkAccess") && method.equals("POST")) {
            checkAccess(exchange, Json.MAPPER.readTree(body));
        } else if (rest.equals("roleDefinitions") && method.equals("GET")) {
            ArrayNode value = JSON.arrayNode();
            roleDefinitions.values().stream()
                    .filter(role -> !filter.startsWith("roleName eq ") || role.at("/properties/roleName").asText()
                            .equalsIgnoreCase(filter.substring("roleName eq '".length(), filter.length() - 1).replace("''", "'")))
                    .filter(role -> !filter.equals("type eq 'CustomRole'") || role.at("/properties/type").asText().equals("CustomRole"))
                    .forEach(value::add);
            send(exchange, 200, JSON.objectNode().set("value", value));
        } else if (rest.startsWith("roleDefinitions/")) {
            switch (method) {
                case "PUT" -> {
                    lastPut.put(path, Json.MAPPER.readTree(body));
                    ObjectNode role = ((ObjectNode) Json.MAPPER.readTree(body)).put("id", path).put("name", rest.substring(rest.indexOf('/') + 1))
                            .put("type", "Microsoft.Authorization/roleDefinitions");
                    int status = roleDefinitions.containsKey(key) ? 200 : 201;
                    roleDefinitions.put(key, role);
                    send(exchange, status, role);
                }
                case "GET" -> found(exchange, roleDefinitions.get(key), path);
                case "DELETE" -> found(exchange, roleDefinitions.remove(key), path);
                default -> error(exchange, 405, "MethodNotAllowed", method);
            }
        } else if (rest.equals("roleAssignments") && method.equals("GET")) {
            ArrayNode value = JSON.arrayNode();
            roleAssignments.values().stream()
                    .filter(a -> !filter.startsWith("principalId eq ") || filter.contains("'" + a.at("/properties/principalId").asText() + "'"))
                    .forEach(value::add);
            send(exchange, 200, JSON.objectNode().set("value", value));
        } else if (rest.startsWith("roleAssignments/")) {
            switch (method) {
                case "PUT" -> {
                    JsonNode request = Json.MAPPER.readTree(body);
                    lastPut.put(path, request);
                    ObjectNode assignment = JSON.objectNode().put("id", path).put("name", rest.substring(rest.indexOf('/') + 1))
                            .put("type", "Microsoft.Authorization/roleAssignments");
                    assignment.set("properties", ((ObjectNode) request.path("properties").deepCopy()).put("scope", scope));
                    roleAssignments.put(key, assignment);
                    send(exchange, 201, assignment);
                }
                case "GET" -> found(exchange, roleAssignments.get(key), path);
                case "DELETE" -> found(exchange, roleAssignments.remove(key), path);
                default -> error(exchange, 405, "MethodNotAllowed", method);
            }
        } else {
            error(exchange, 404, "ResourceNotFound", "no authorization route " + method + " " + path);
        }
    }

    /** Azure's action wildcards, roughly: '*' is any run of characters, case does not matter. */
    private static boolean matches(String pattern, String action) {
        String regex = String.join(".*", java.util.Arrays.stream(pattern.split("\\*", -1)).map(java.util.regex.Pattern::quote).toList());
        return java.util.regex.Pattern.compile(regex, java.util.regex.Pattern.CASE_INSENSITIVE).matcher(action).matches();
    }

    private void found(HttpExchange exchange, ObjectNode resource, String path) throws IOException {
        if (resource == null) {
            error(exchange, 404, "ResourceNotFound", "no resource at " + path);
        } else {
            send(exchange, 200, resource);
        }
    }

    private static String filter(String query) {
        for (String pair : query.split("&")) {
            if (pair.startsWith("$filter=")) {
                return URLDecoder.decode(pair.substring("$filter=".length()), StandardCharsets.UTF_8);
            }
        }
        return "";
    }

    /** Allowed when an assignment of the principal at the scope or above has a role listing the action (or '*'). */
    private void checkAccess(HttpExchange exchange, JsonNode request) throws IOException {
        accessChecks.add(request);
        String scope = request.path("scope").asText().toLowerCase(Locale.ROOT);
        ObjectNode answer = JSON.objectNode().put("allowed", false).put("reason", "no role assignment of the principal grants "
                + request.path("action").asText() + " at " + request.path("scope").asText());
        ArrayNode considered = JSON.arrayNode();
        for (ObjectNode assignment : roleAssignments.values()) {
            JsonNode properties = assignment.path("properties");
            String at = properties.path("scope").asText().toLowerCase(Locale.ROOT);
            if (!properties.path("principalId").asText().equals(request.path("principalId").asText())
                    || !(scope.equals(at) || scope.startsWith(at + "/"))) {
                continue;
            }
            considered.add(assignment);
            ObjectNode role = roleDefinitions.get(properties.path("roleDefinitionId").asText().toLowerCase(Locale.ROOT));
            boolean grants = role != null && StreamSupport.stream(role.at("/properties/permissions/0/actions").spliterator(), false)
                    .anyMatch(action -> matches(action.asText(), request.path("action").asText()));
            if (grants) {
                answer.put("allowed", true).put("reason", "granted by '" + role.at("/properties/roleName").asText() + "' at " + properties.path("scope").asText());
                answer.set("grantedBy", assignment);
            }
        }
        answer.set("considered", considered);
        send(exchange, 200, answer);
    }

    private void blob(HttpExchange exchange, String method, String path, String query, byte[] body, String authorization) throws IOException {
        if (!"Bearer token:https://storage.azure.com/.default".equals(authorization) || !"PUT".equals(method)) {
            error(exchange, 403, "AuthorizationFailed", "blob access denied");
            return;
        }
        if (query.equals("restype=container")) {
            int status = blobs.containsKey(path) ? 409 : 201;
            blobs.put(path, new byte[0]);
            send(exchange, status, null);
            return;
        }
        if (!"BlockBlob".equals(exchange.getRequestHeaders().getFirst("x-ms-blob-type"))) {
            error(exchange, 400, "MissingRequiredHeader", "x-ms-blob-type");
            return;
        }
        blobs.put(path, body);
        send(exchange, 201, null);
    }

    private void score(HttpExchange exchange, String path, byte[] body, String authorization) throws IOException {
        boolean accepted = ("Bearer " + PRIMARY_KEY).equals(authorization) || "Bearer aml-token".equals(authorization)
                || "https://ml.azure.com/.default".equals(scopeOf(authorization));
        if (!accepted) {
            error(exchange, 401, "AuthenticationFailed", "invalid key or token");
            return;
        }
        String deployment = exchange.getRequestHeaders().getFirst("azureml-model-deployment");
        ObjectNode answer = JSON.objectNode().put("endpoint", path.split("/")[2]).put("deployment", deployment)
                .put("authorization", authorization);
        answer.set("request", Json.MAPPER.readTree(body));
        send(exchange, 200, answer);
    }

    private void management(HttpExchange exchange, String method, String path, String query, byte[] body) throws IOException {
        if (path.contains("/mfeOperationsStatus/")) {
            Deque<ObjectNode> states = operations.get(path);
            ObjectNode state = states.size() > 1 ? states.poll() : states.peek();
            send(exchange, 200, state);
            return;
        }
        switch (method) {
            case "PUT" -> put(exchange, path, Json.MAPPER.readTree(body));
            case "PATCH" -> {
                ObjectNode existing = resources.get(path);
                JsonNode patch = Json.MAPPER.readTree(body);
                ((ObjectNode) existing.path("properties")).setAll((ObjectNode) patch.path("properties"));
                if (patch.has("tags")) {
                    existing.set("tags", patch.get("tags"));
                }
                send(exchange, 200, existing);
            }
            case "GET" -> get(exchange, path);
            case "DELETE" -> {
                resources.keySet().removeIf(key -> key.equals(path) || key.startsWith(path + "/"));
                accepted(exchange, 202, null, List.of(stage("Deleting")), JSON.objectNode().put("status", "Succeeded"));
            }
            case "POST" -> post(exchange, path);
            default -> error(exchange, 405, "MethodNotAllowed", method);
        }
    }

    private void put(HttpExchange exchange, String path, JsonNode body) throws IOException {
        lastPut.put(path, body);
        ObjectNode resource = body.deepCopy();
        resource.put("id", path);
        resource.put("name", path.substring(path.lastIndexOf('/') + 1));
        ObjectNode properties = resource.has("properties") ? (ObjectNode) resource.get("properties") : resource.putObject("properties");
        properties.put("provisioningState", "Succeeded");
        if (path.endsWith("/workspaces/" + resource.get("name").asText())) {
            String account = path.substring(0, path.indexOf("/providers/")) + "/providers/Microsoft.Storage/storageAccounts/stfake";
            properties.put("storageAccount", account);
            ObjectNode storage = JSON.objectNode().put("id", account).put("name", "stfake");
            storage.putObject("properties").putObject("primaryEndpoints").put("blob", base + "/stfake/");
            resources.put(account, storage);
        }
        boolean endpoint = path.matches(".*/onlineEndpoints/[^/]+");
        boolean deployment = path.matches(".*/onlineEndpoints/[^/]+/deployments/[^/]+");
        if (endpoint) {
            resource.put("type", "Microsoft.MachineLearningServices/workspaces/onlineEndpoints");
            properties.put("scoringUri", base + "/endpoints/" + resource.get("name").asText() + "/score");
        }
        if (deployment) {
            resource.put("type", "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments");
        }
        if (!endpoint && !deployment) {
            resources.put(path, resource);
            send(exchange, 201, resource);
            return;
        }
        boolean fails = deployment && failingDeployments.contains(resource.get("name").asText());
        ObjectNode end = JSON.objectNode().put("status", fails ? "Failed" : "Succeeded");
        if (fails) {
            end.putObject("error").put("code", "DeploymentFailed")
                    .put("message", "init() raised ValueError\n--- last lines of the log ---\nTraceback (most recent call last):\nValueError: boom");
        } else {
            resources.put(path, resource);
        }
        accepted(exchange, 201, resource, List.of(stage("Creating"), stage(deployment ? "Starting workers" : "Creating")), end);
    }

    private static ObjectNode stage(String stage) {
        ObjectNode state = JSON.objectNode().put("status", "InProgress");
        state.putObject("properties").put("stage", stage);
        return state;
    }

    private void accepted(HttpExchange exchange, int status, JsonNode body, List<ObjectNode> progress, ObjectNode end) throws IOException {
        String operation = "/subscriptions/" + SUBSCRIPTION + "/providers/Microsoft.MachineLearningServices/locations/local/mfeOperationsStatus/op"
                + operations.size();
        Deque<ObjectNode> states = new ArrayDeque<>(progress);
        states.add(end);
        operations.put(operation, states);
        exchange.getResponseHeaders().add("Azure-AsyncOperation", base + operation + "?api-version=2024-04-01");
        send(exchange, status, body);
    }

    private void get(HttpExchange exchange, String path) throws IOException {
        ObjectNode resource = resources.get(path);
        if (resource != null) {
            send(exchange, 200, resource);
            return;
        }
        if (path.endsWith("/trafficLogs")) {
            ArrayNode logs = JSON.arrayNode();
            logs.addObject().put("time", "2026-11-23T10:00:00Z").put("deployment", "blue").put("responseCode", 200);
            send(exchange, 200, JSON.objectNode().set("value", logs));
            return;
        }
        String last = path.substring(path.lastIndexOf('/') + 1);
        if (Set.of("versions", "onlineEndpoints", "deployments", "workspaces", "resourcegroups").contains(last)) {
            ArrayNode value = JSON.arrayNode();
            Set<String> seen = new HashSet<>();
            resources.forEach((key, child) -> {
                String rest = key.startsWith(path + "/") ? key.substring(path.length() + 1) : null;
                if (rest != null && !rest.contains("/") && seen.add(key)) {
                    value.add(child);
                }
            });
            send(exchange, 200, JSON.objectNode().set("value", value));
            return;
        }
        error(exchange, 404, "ResourceNotFound", "no resource at " + path);
    }

    private void post(HttpExchange exchange, String path) throws IOException {
        String action = path.substring(path.lastIndexOf('/') + 1);
        switch (action) {
            case "listKeys" -> send(exchange, 200, JSON.objectNode().put("primaryKey", PRIMARY_KEY).put("secondaryKey", "secondary-key-456"));
            case "regenerateKeys" -> accepted(exchange, 202, null, List.of(stage("Regenerating")), JSON.objectNode().put("status", "Succeeded"));
            case "getLogs" -> send(exchange, 200, JSON.objectNode().put("content", "Booting worker\nListening on socket\n"));
            case "token" -> send(exchange, 200, JSON.objectNode().put("accessToken", "aml-token").put("expiryTimeUtc", 1_900_000_000L)
                    .put("refreshAfterTimeUtc", 1_899_998_200L).put("tokenType", "Bearer"));
            default -> error(exchange, 404, "ResourceNotFound", "no action " + action);
        }
    }

    private static void error(HttpExchange exchange, int status, String code, String message) throws IOException {
        ObjectNode body = JSON.objectNode();
        body.putObject("error").put("code", code).put("message", message);
        send(exchange, status, body);
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = body == null ? new byte[0] : Json.MAPPER.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    public static JsonNode parse(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
