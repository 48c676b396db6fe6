package enclave.e2e;

import static enclave.e2e.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tries to get in without the right to, over real HTTPS: forged and misused tokens, other endpoints' credentials,
 * scope tricks and role escalation. Every case asserts the refusal a user would see.
 */
class SecurityTest {
    private static final String MANAGEMENT = "https://management.azure.com/.default";
    private static final String ML = "https://ml.azure.com/.default";
    private static TestServer enclave;
    private static String sub;
    private static String ws;
    private static String body;

    @BeforeAll
    static void start() throws Exception {
        enclave = TestServer.start();
        sub = enclave.subscription();
        body = Files.readString(Path.of("..", "examples", "model-1", "sample-request.json"));
        for (String group : List.of("sec", "sec2")) {
            assertThat(enclave.mgmt("PUT", "/subscriptions/" + sub + "/resourcegroups/" + group, "{}").statusCode()).isEqualTo(201);
        }
        ws = workspace("sec", "secws");
        assertThat(enclave.mgmt("PUT", ws, "{}").statusCode()).isEqualTo(201);
        assertThat(enclave.mgmt("PUT", workspace("sec2", "secws2"), "{}").statusCode()).isEqualTo(201);
        for (String[] endpoint : new String[][] {{"sec-key-a", "Key"}, {"sec-key-b", "Key"}, {"sec-aml-a", "AMLToken"}, {"sec-aml-b", "AMLToken"},
                {"sec-aad", "AADToken"}}) {
            HttpResponse<String> created = enclave.mgmt("PUT", ws + "/onlineEndpoints/" + endpoint[0], "{\"properties\":{\"authMode\":\"" + endpoint[1] + "\"}}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        enclave.close();
    }

    // ---- forged and misused tokens on the control plane ----

    @Test
    void anUnsignedTokenIsRefused() throws Exception {
        String unsigned = new PlainJWT(new PlainHeader(), adminClaims("https://management.azure.com", Duration.ZERO, Duration.ofHours(1)).build()).serialize();
        assertUnauthenticated(enclave.mgmt("GET", ws, null, unsigned));
    }

    @Test
    void anHmacTokenSignedWithThePublicKeyIsRefused() throws Exception {
        RSAKey serverKey = serverKey();
        byte[] secret = serverKey.toPublicJWK().toRSAPublicKey().getEncoded();
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(serverKey.getKeyID()).type(JOSEObjectType.JWT).build(),
                adminClaims("https://management.azure.com", Duration.ZERO, Duration.ofHours(1)).build());
        forged.sign(new MACSigner(secret));
        assertUnauthenticated(enclave.mgmt("GET", ws, null, forged.serialize()));
    }

    @Test
    void aTamperedPayloadIsRefused() throws Exception {
        String reader = principalWithRole("tamper", "Reader", "/subscriptions/" + sub);
        String token = enclave.token(reader, secrets.get(reader), MANAGEMENT);
        String[] parts = token.split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]));
        String asAdmin = claims.replaceAll("\"oid\":\"[^\"]+\"", "\"oid\":\"" + enclave.admin.get("objectId").asText() + "\"");
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(asAdmin.getBytes()) + "." + parts[2];
        assertUnauthenticated(enclave.mgmt("PUT", ws + "/onlineEndpoints/tampered", "{}", tampered));
    }

    @Test
    void aWrongIssuerIsRefused() throws Exception {
        JWTClaimsSet.Builder claims = adminClaims("https://management.azure.com", Duration.ZERO, Duration.ofHours(1)).issuer("https://login.example/evil/v2.0");
        assertUnauthenticated(enclave.mgmt("GET", ws, null, sign(serverKey(), claims)));
    }

    @Test
    void aTokenForAnotherAudienceIsRefusedEverywhere() throws Exception {
        assertUnauthenticated(enclave.mgmt("GET", ws, null, enclave.token(ML)));
        HttpResponse<String> scoring = enclave.score("sec-aad", enclave.token(MANAGEMENT), body, Map.of());
        assertThat(scoring.statusCode()).isEqualTo(401);
    }

    @Test
    void anExpiredTokenIsRefused() throws Exception {
        String expired = sign(serverKey(), adminClaims("https://management.azure.com", Duration.ofHours(-2), Duration.ofHours(-1)));
        assertUnauthenticated(enclave.mgmt("GET", ws, null, expired));
    }

    @Test
    void aTokenNotYetValidIsRefused() throws Exception {
        String early = sign(serverKey(), adminClaims("https://management.azure.com", Duration.ofHours(1), Duration.ofHours(2)));
        assertUnauthenticated(enclave.mgmt("GET", ws, null, early));
    }

    @Test
    void aTokenFromAnUnknownKeyIsRefused() throws Exception {
        RSAKey stranger = new RSAKeyGenerator(2048).keyID(serverKey().getKeyID()).generate();
        assertUnauthenticated(enclave.mgmt("GET", ws, null, sign(stranger, adminClaims("https://management.azure.com", Duration.ZERO, Duration.ofHours(1)))));
    }

    // ---- endpoint credentials ----

    @Test
    void anotherEndpointsKeyIsRefused() throws Exception {
        String keyOfB = json(enclave.mgmt("POST", ws + "/onlineEndpoints/sec-key-b/listKeys", null)).get("primaryKey").asText();
        assertThat(enclave.score("sec-key-a", keyOfB, body, Map.of()).statusCode()).isEqualTo(401);
    }

    @Test
    void anotherEndpointsAmlTokenIsRefused() throws Exception {
        JsonNode tokenOfB = json(enclave.mgmt("POST", ws + "/onlineEndpoints/sec-aml-b/token", null));
        assertThat(tokenOfB.get("expiryTimeUtc").asLong()).isGreaterThan(Instant.now().getEpochSecond());
        assertThat(tokenOfB.get("refreshAfterTimeUtc").asLong()).isLessThan(tokenOfB.get("expiryTimeUtc").asLong());
        HttpResponse<String> refused = enclave.score("sec-aml-a", tokenOfB.get("accessToken").asText(), body, Map.of());
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(json(refused).at("/error/code").asText()).isEqualTo("AuthenticationFailed");
        // its own endpoint accepts it (no deployment yet: the refusal is about routing, not the credential)
        assertThat(enclave.score("sec-aml-b", tokenOfB.get("accessToken").asText(), body, Map.of()).statusCode()).isEqualTo(404);
    }

    @Test
    void aKeyStopsWorkingWhenRegenerated() throws Exception {
        String old = json(enclave.mgmt("POST", ws + "/onlineEndpoints/sec-key-a/listKeys", null)).get("secondaryKey").asText();
        assertThat(enclave.score("sec-key-a", old, body, Map.of()).statusCode()).isEqualTo(404);
        enclave.mgmt("POST", ws + "/onlineEndpoints/sec-key-a/regenerateKeys", "{\"keyType\":\"Secondary\"}");
        assertThat(enclave.score("sec-key-a", old, body, Map.of()).statusCode()).isEqualTo(401);
    }

    @Test
    void aadTokenScoringNeedsTheScoreAction() throws Exception {
        String nobody = principalWithRole("no-role", null, null);
        HttpResponse<String> forbidden = enclave.score("sec-aad", enclave.token(nobody, secrets.get(nobody), ML), body, Map.of());
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(json(forbidden).at("/error/code").asText()).isEqualTo("AuthorizationFailed");

        String scientist = principalWithRole("scientist", "AzureML Data Scientist", ws + "/onlineEndpoints/sec-aad");
        HttpResponse<String> allowed = enclave.score("sec-aad", enclave.token(scientist, secrets.get(scientist), ML), body, Map.of());
        assertThat(allowed.statusCode()).as("the credential and role pass; 404 = no deployment to route to").isEqualTo(404);
        assertThat(json(allowed).at("/error/code").asText()).isEqualTo("NoDeploymentToRoute");
    }

    // ---- roles and scopes ----

    @Test
    void aRoleAtOneGroupGivesNothingInAGroupWhoseNameExtendsIt() throws Exception {
        String contributor = principalWithRole("prefix", "Contributor", "/subscriptions/" + sub + "/resourceGroups/sec");
        String token = enclave.token(contributor, secrets.get(contributor), MANAGEMENT);
        assertThat(enclave.mgmt("GET", ws, null, token).statusCode()).isEqualTo(200);
        HttpResponse<String> sibling = enclave.mgmt("GET", workspace("sec2", "secws2"), null, token);
        assertThat(sibling.statusCode()).isEqualTo(403);
        assertThat(json(sibling).at("/error/message").asText()).contains(contributorObjectId(contributor)).contains("workspaces/read")
                .contains("/resourceGroups/sec2");
    }

    @Test
    void notActionsOfTheRoleRemoveTheAction() throws Exception {
        String role = customRole("No endpoint writes", List.of("Microsoft.MachineLearningServices/*"),
                List.of("Microsoft.MachineLearningServices/workspaces/onlineEndpoints/write"));
        String principal = principalWithRole("not-actions", role, "/subscriptions/" + sub);
        String token = enclave.token(principal, secrets.get(principal), MANAGEMENT);
        assertThat(enclave.mgmt("GET", ws + "/onlineEndpoints/sec-key-a", null, token).statusCode()).isEqualTo(200);
        assertThat(enclave.mgmt("PUT", ws + "/onlineEndpoints/blocked", "{\"properties\":{\"authMode\":\"Key\"}}", token).statusCode()).isEqualTo(403);
        assertThat(enclave.mgmt("GET", ws + "/onlineEndpoints/blocked", null).statusCode()).isEqualTo(404);
    }

    @Test
    void aPrincipalCannotAssignItselfARoleItMayNotAssign() throws Exception {
        String contributor = principalWithRole("escalate", "Contributor", "/subscriptions/" + sub);
        String token = enclave.token(contributor, secrets.get(contributor), MANAGEMENT);
        String owner = roleId("Owner");
        HttpResponse<String> refused = enclave.mgmt("PUT", "/subscriptions/" + sub + "/providers/Microsoft.Authorization/roleAssignments/" + UUID.randomUUID(),
                "{\"properties\":{\"roleDefinitionId\":\"" + owner + "\",\"principalId\":\"" + contributorObjectId(contributor) + "\"}}", token);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(json(refused).at("/error/code").asText()).isEqualTo("AuthorizationFailed");
        HttpResponse<String> customRole = enclave.mgmt("PUT", "/subscriptions/" + sub + "/providers/Microsoft.Authorization/roleDefinitions/" + UUID.randomUUID(),
                roleBody("Escalator", List.of("*"), List.of()), token);
        assertThat(customRole.statusCode()).isEqualTo(403);
    }

    @Test
    void aPrincipalWithOnlyTheScoringRoleCannotUseTheControlPlane() throws Exception {
        String role = customRole("Scorer only", List.of("Microsoft.MachineLearningServices/workspaces/onlineEndpoints/score/action"), List.of());
        String scorer = principalWithRole("scorer", role, ws + "/onlineEndpoints/sec-aad");
        String token = enclave.token(scorer, secrets.get(scorer), MANAGEMENT);
        assertThat(enclave.mgmt("GET", ws + "/onlineEndpoints/sec-aad", null, token).statusCode()).isEqualTo(403);
        assertThat(enclave.mgmt("POST", ws + "/onlineEndpoints/sec-key-a/listKeys", null, token).statusCode()).isEqualTo(403);
        assertThat(enclave.mgmt("DELETE", ws + "/onlineEndpoints/sec-key-a", null, token).statusCode()).isEqualTo(403);
        assertThat(enclave.mgmt("PUT", ws, "{}", token).statusCode()).isEqualTo(403);
        assertThat(enclave.mgmt("POST", ws + "/onlineEndpoints/sec-aml-a/token", null, token).statusCode()).isEqualTo(403);
        // and the scoring it was given works
        assertThat(enclave.score("sec-aad", enclave.token(scorer, secrets.get(scorer), ML), body, Map.of()).statusCode()).isEqualTo(404);
    }

    @Test
    void aRefreshTokenIsNotAnAccessToken() throws Exception {
        HttpResponse<String> user = enclave.mgmt("POST", "/" + enclave.tenant() + "/directory/users",
                "{\"userPrincipalName\":\"mallory@enclave.local\",\"displayName\":\"Mallory\",\"password\":\"correct horse battery\"}");
        assertThat(user.statusCode()).as(user.body()).isEqualTo(201);
        String form = "grant_type=password&username=mallory%40enclave.local&password=correct+horse+battery&scope=" + MANAGEMENT;
        JsonNode tokens = json(enclave.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(enclave.server.managementUrl() + "/" + enclave.tenant()
                + "/oauth2/v2.0/token")).header("Content-Type", "application/x-www-form-urlencoded").POST(java.net.http.HttpRequest.BodyPublishers.ofString(form))
                .build(), HttpResponse.BodyHandlers.ofString()));
        assertThat(tokens.get("refresh_token").asText()).isNotBlank();
        assertUnauthenticated(enclave.mgmt("GET", ws, null, tokens.get("refresh_token").asText()));
        // with its access token and no role, the user is authenticated but not authorized
        assertThat(enclave.mgmt("GET", ws, null, tokens.get("access_token").asText()).statusCode()).isEqualTo(403);
    }

    @Test
    void spoofedIdentityHeadersChangeNothing() throws Exception {
        HttpResponse<String> response = enclave.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(enclave.server.scoringUri("sec-key-a")))
                .header("X-Forwarded-For", "127.0.0.1").header("X-MS-CLIENT-PRINCIPAL-ID", enclave.admin.get("objectId").asText())
                .header("X-Original-Authorization", "Bearer anything").POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(401);
    }

    // ---- helpers ----

    private static final Map<String, String> secrets = new java.util.concurrent.ConcurrentHashMap<>();
    private static final Map<String, String> objectIds = new java.util.concurrent.ConcurrentHashMap<>();

    /** A new service principal (returns its app id), with {@code role} at {@code scope} when a role is given. */
    private static String principalWithRole(String name, String role, String scope) throws Exception {
        HttpResponse<String> created = enclave.mgmt("POST", "/" + enclave.tenant() + "/directory/servicePrincipals", "{\"displayName\":\"" + name + "\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode sp = json(created);
        secrets.put(sp.get("appId").asText(), sp.get("password").asText());
        objectIds.put(sp.get("appId").asText(), sp.get("objectId").asText());
        if (role != null) {
            String roleId = role.startsWith("/") ? role : roleId(role);
            HttpResponse<String> assigned = enclave.mgmt("PUT", scope + "/providers/Microsoft.Authorization/roleAssignments/" + UUID.randomUUID(),
                    "{\"properties\":{\"roleDefinitionId\":\"" + roleId + "\",\"principalId\":\"" + sp.get("objectId").asText() + "\",\"principalType\":\"ServicePrincipal\"}}");
            assertThat(assigned.statusCode()).as(assigned.body()).isEqualTo(201);
        }
        return sp.get("appId").asText();
    }

    private static String contributorObjectId(String appId) {
        return objectIds.get(appId);
    }

    private static String roleId(String roleName) throws Exception {
        JsonNode roles = json(enclave.mgmt("GET", "/subscriptions/" + sub + "/providers/Microsoft.Authorization/roleDefinitions?$filter="
                + java.net.URLEncoder.encode("roleName eq '" + roleName + "'", java.nio.charset.StandardCharsets.UTF_8), null));
        assertThat(roles.get("value")).as(roleName).hasSize(1);
        return roles.get("value").get(0).get("id").asText();
    }

    private static String customRole(String name, List<String> actions, List<String> notActions) throws Exception {
        String id = "/subscriptions/" + sub + "/providers/Microsoft.Authorization/roleDefinitions/" + UUID.randomUUID();
        HttpResponse<String> created = enclave.mgmt("PUT", id, roleBody(name, actions, notActions));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return json(created).get("id").asText();
    }

    private static String roleBody(String name, List<String> actions, List<String> notActions) throws Exception {
        return enclave.json(Map.of("properties", Map.of("roleName", name, "description", "test role", "type", "CustomRole",
                "permissions", List.of(Map.of("actions", actions, "notActions", notActions, "dataActions", List.of(), "notDataActions", List.of())),
                "assignableScopes", List.of("/subscriptions/" + sub))));
    }

    private static String workspace(String group, String name) {
        return "/subscriptions/" + sub + "/resourceGroups/" + group + "/providers/Microsoft.MachineLearningServices/workspaces/" + name;
    }

    private static void assertUnauthenticated(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
        assertThat(json(response).at("/error/code").asText()).isIn("AuthenticationFailed", "InvalidAuthenticationToken", "ExpiredAuthenticationToken");
    }

    /** The server's current signing key, read from its data directory: lets a test sign tokens whose only flaw is the one under test. */
    private static RSAKey serverKey() throws Exception {
        try (Stream<Path> files = Files.list(enclave.home.resolve("keys"))) {
            Path newest = files.filter(f -> f.toString().endsWith(".jwk")).sorted().reduce((a, b) -> b).orElseThrow();
            return RSAKey.parse(Files.readString(newest));
        }
    }

    private static JWTClaimsSet.Builder adminClaims(String audience, Duration notBeforeIn, Duration expiresIn) {
        Instant now = Instant.now();
        String oid = enclave.admin.get("objectId").asText();
        return new JWTClaimsSet.Builder().issuer(enclave.server.managementUrl() + "/" + enclave.tenant() + "/v2.0").audience(audience).subject(oid)
                .claim("oid", oid).claim("tid", enclave.tenant()).issueTime(Date.from(now)).notBeforeTime(Date.from(now.plus(notBeforeIn)))
                .expirationTime(Date.from(now.plus(expiresIn)));
    }

    private static String sign(RSAKey key, JWTClaimsSet.Builder claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims.build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }
}
