package enclave.server.identity;

import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.Json;
import enclave.core.http.Call;
import enclave.core.http.Route;
import enclave.identity.Audiences;
import enclave.identity.Principal;
import enclave.identity.Principals;
import enclave.identity.TokenService;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.UrlEncoded;

/** The OIDC issuer endpoints in the shape Entra ID uses: discovery, JWKS, and the v2.0 token endpoint (client credentials). */
public final class IdentityApi {
    private final TokenService tokens;
    private final Principals principals;
    private final enclave.identity.SigningKeys keys;
    private final Clock clock;

    public IdentityApi(TokenService tokens, Principals principals, enclave.identity.SigningKeys keys, Clock clock) {
        this.tokens = tokens;
        this.principals = principals;
        this.keys = keys;
        this.clock = clock;
    }

    public List<Route> routes() {
        return List.of(
                Route.of("GET", "/{tenant}/v2.0/.well-known/openid-configuration", Route.ANONYMOUS, this::discovery),
                Route.of("GET", "/{tenant}/discovery/v2.0/keys", Route.ANONYMOUS, call -> call.json(200, keys.publicKeys().toJSONObject(true))),
                Route.of("POST", "/{tenant}/oauth2/v2.0/token", Route.ANONYMOUS, this::token));
    }

    private void discovery(Call call) {
        requireTenant(call);
        String base = call.baseUrl() + "/" + tokens.tenantId();
        ObjectNode doc = Json.MAPPER.createObjectNode();
        doc.put("issuer", tokens.issuer());
        doc.put("token_endpoint", base + "/oauth2/v2.0/token");
        doc.put("jwks_uri", base + "/discovery/v2.0/keys");
        doc.put("authorization_endpoint", base + "/oauth2/v2.0/authorize");
        doc.putArray("response_types_supported").add("token");
        doc.putArray("subject_types_supported").add("pairwise");
        doc.putArray("id_token_signing_alg_values_supported").add("RS256");
        doc.putArray("grant_types_supported").add("client_credentials");
        doc.putArray("token_endpoint_auth_methods_supported").add("client_secret_post").add("client_secret_basic");
        doc.put("tenant_region_scope", "local");
        call.json(200, doc);
    }

    private void token(Call call) {
        requireTenant(call);
        Fields form = new Fields();
        UrlEncoded.decodeTo(new String(call.rawBody(64 * 1024), StandardCharsets.UTF_8), form::add, StandardCharsets.UTF_8);
        String grant = value(form, "grant_type");
        if (!"client_credentials".equals(grant)) {
            throw oauth("unsupported_grant_type", "grant_type '" + grant + "' is not supported; use client_credentials");
        }
        String clientId = value(form, "client_id");
        String secret = value(form, "client_secret");
        String requested = form.getValue("scope") != null ? form.getValue("scope") : value(form, "resource");
        String audience;
        try {
            audience = Audiences.fromScopeOrResource(requested);
        } catch (EnclaveException e) {
            throw oauth("invalid_scope", e.getMessage());
        }
        Principal principal = principals.verifyClientSecret(clientId, secret)
                .orElseThrow(() -> new EnclaveException(ErrorCode.AuthenticationFailed, 401, "invalid_client: the client id or secret is wrong"));
        TokenService.IssuedToken issued = tokens.issue(principal, audience, TokenService.DEFAULT_LIFETIME);
        long expiresIn = issued.expiresOn().getEpochSecond() - clock.instant().getEpochSecond();
        call.json(200, Map.of("token_type", "Bearer", "expires_in", expiresIn, "ext_expires_in", expiresIn, "access_token", issued.accessToken()));
    }

    private void requireTenant(Call call) {
        if (!call.param("tenant").equalsIgnoreCase(tokens.tenantId()) && !call.param("tenant").equalsIgnoreCase("organizations")) {
            throw new EnclaveException(ErrorCode.ResourceNotFound, "tenant '" + call.param("tenant") + "' does not exist here; this platform's tenant is " + tokens.tenantId());
        }
    }

    private static String value(Fields form, String name) {
        String value = form.getValue(name);
        if (value == null || value.isBlank()) {
            throw oauth("invalid_request", "the form needs '" + name + "'");
        }
        return value;
    }

    private static EnclaveException oauth(String error, String message) {
        return new EnclaveException(ErrorCode.BadRequest, error + ": " + message);
    }
}
