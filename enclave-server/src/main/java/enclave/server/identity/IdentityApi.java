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
import java.util.LinkedHashMap;
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

    /** The token endpoint; each grant is its own method, chosen by an exhaustive switch on the grant type. */
    private void token(Call call) {
        requireTenant(call);
        Fields form = new Fields();
        UrlEncoded.decodeTo(new String(call.rawBody(64 * 1024), StandardCharsets.UTF_8), form::add, StandardCharsets.UTF_8);
        String requested = form.getValue("scope") != null ? form.getValue("scope") : value(form, "resource");
        String audience;
        try {
            audience = Audiences.fromScopeOrResource(requested);
        } catch (EnclaveException e) {
            throw oauth("invalid_scope", e.getMessage());
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        Principal principal = switch (Grant.parse(value(form, "grant_type"))) {
            case CLIENT_CREDENTIALS -> principals.verifyClientSecret(value(form, "client_id"), value(form, "client_secret"))
                    .orElseThrow(() -> invalid("invalid_client: the client id or secret is wrong"));
            case PASSWORD -> {
                Principal user = principals.verifyPassword(value(form, "username"), value(form, "password"))
                        .orElseThrow(() -> invalid("invalid_grant: the user name or password is wrong"));
                answer.put("refresh_token", tokens.issueRefresh(user).accessToken());
                yield user;
            }
            case REFRESH_TOKEN -> {
                String objectId;
                try {
                    objectId = tokens.validateRefresh(value(form, "refresh_token"));
                } catch (EnclaveException e) {
                    throw invalid("invalid_grant: the refresh token is not valid (" + e.getMessage() + "); sign in again");
                }
                Principal user = principals.byObjectId(objectId).orElseThrow(() -> invalid("invalid_grant: the signed-in principal no longer exists"));
                answer.put("refresh_token", tokens.issueRefresh(user).accessToken());
                yield user;
            }
        };
        TokenService.IssuedToken issued = tokens.issue(principal, audience, TokenService.DEFAULT_LIFETIME);
        long expiresIn = issued.expiresOn().getEpochSecond() - clock.instant().getEpochSecond();
        answer.put("token_type", "Bearer");
        answer.put("expires_in", expiresIn);
        answer.put("ext_expires_in", expiresIn);
        answer.put("expires_on", issued.expiresOn().getEpochSecond());
        answer.put("resource", audience);
        answer.put("access_token", issued.accessToken());
        call.json(200, answer);
    }

    /** The OAuth2 grants the token endpoint knows. */
    enum Grant {
        CLIENT_CREDENTIALS,
        PASSWORD,
        REFRESH_TOKEN;

        static Grant parse(String text) {
            for (Grant grant : values()) {
                if (grant.name().equalsIgnoreCase(text)) {
                    return grant;
                }
            }
            throw oauth("unsupported_grant_type", "grant_type '" + text + "' is not supported; use client_credentials, password or refresh_token");
        }
    }

    private static EnclaveException invalid(String message) {
        return new EnclaveException(ErrorCode.AuthenticationFailed, 401, message);
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
