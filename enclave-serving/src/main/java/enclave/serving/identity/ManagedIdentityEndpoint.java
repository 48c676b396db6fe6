package enclave.serving.identity;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.Hashes;
import enclave.core.ResourceId;
import enclave.core.http.Call;
import enclave.core.http.Route;
import enclave.identity.Audiences;
import enclave.identity.Principal;
import enclave.identity.Principals;
import enclave.identity.TokenService;
import enclave.serving.endpoint.EndpointIdentity;
import enclave.serving.endpoint.Endpoints;
import enclave.serving.endpoint.OnlineEndpoint;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The managed-identity token endpoint that a deployment's workers call, as Azure ML compute offers it to scoring code: both
 * {@code MSI_ENDPOINT} + {@code MSI_SECRET} (api-version 2017-09-01, header {@code secret}) and {@code IDENTITY_ENDPOINT} +
 * {@code IDENTITY_HEADER} (2019-08-01, header {@code X-IDENTITY-HEADER}). The secret is per deployment, random, kept in memory
 * only as a hash and made anew when the server starts (workers get it in their environment when they start). It names the
 * deployment, so a worker gets tokens only for its own endpoint's identities.
 */
public final class ManagedIdentityEndpoint {
    public static final String PATH = "/enclave/msi/token";
    private static final String API_2019 = "2019-08-01";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Endpoints endpoints;
    private final Principals principals;
    private final TokenService tokens;
    private final String url;
    private final Path caFile;
    /** The secret of each deployment (by deployment key), and which deployment a secret's hash belongs to. */
    private final Map<String, String> secretByDeployment = new ConcurrentHashMap<>();
    private final Map<String, ResourceId> deploymentBySecretHash = new ConcurrentHashMap<>();

    /**
     * @param url the token endpoint's full URL on the management listener
     * @param caFile the platform CA, which workers trust for HTTPS ({@code REQUESTS_CA_BUNDLE}, {@code SSL_CERT_FILE})
     */
    public ManagedIdentityEndpoint(Endpoints endpoints, Principals principals, TokenService tokens, String url, Path caFile) {
        this.endpoints = endpoints;
        this.principals = principals;
        this.tokens = tokens;
        this.url = url;
        this.caFile = caFile;
    }

    public List<Route> routes() {
        // The secret is the credential: no bearer token, so the route is anonymous to the management front and checks the secret itself.
        return List.of(Route.of("GET", PATH, Route.ANONYMOUS, this::token));
    }

    /** The variables a deployment's workers get: both token protocols with the deployment's secret, and the platform CA. */
    public Map<String, String> environment(ResourceId deployment) {
        String secret = secretByDeployment.computeIfAbsent(deployment.key(), key -> {
            String fresh = newSecret();
            deploymentBySecretHash.put(Hashes.sha256Hex(fresh), deployment);
            return fresh;
        });
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("MSI_ENDPOINT", url);
        environment.put("MSI_SECRET", secret);
        environment.put("IDENTITY_ENDPOINT", url);
        environment.put("IDENTITY_HEADER", secret);
        String ca = caFile.toAbsolutePath().toString();
        environment.put("REQUESTS_CA_BUNDLE", ca);
        environment.put("SSL_CERT_FILE", ca);
        return environment;
    }

    /** Forgets a deployment's secret (it was deleted): its workers are gone and the secret must stop working. */
    public void forget(ResourceId deployment) {
        String secret = secretByDeployment.remove(deployment.key());
        if (secret != null) {
            deploymentBySecretHash.remove(Hashes.sha256Hex(secret));
        }
    }

    private void token(Call call) {
        String apiVersion = call.query("api-version").orElse("2017-09-01");
        boolean v2019 = apiVersion.equals(API_2019);
        String secret = (v2019 ? call.header("X-IDENTITY-HEADER") : call.header("secret").or(() -> call.header("X-IDENTITY-HEADER")))
                .orElseThrow(() -> new EnclaveException(ErrorCode.AuthenticationFailed, "the request needs the header "
                        + (v2019 ? "X-IDENTITY-HEADER: $IDENTITY_HEADER" : "secret: $MSI_SECRET") + "; only a deployment's own workers can ask for tokens"));
        ResourceId deployment = Optional.ofNullable(deploymentBySecretHash.get(Hashes.sha256Hex(secret))).orElseThrow(() -> new EnclaveException(
                ErrorCode.AuthenticationFailed, "the identity header is not the secret of any running deployment"));
        String resource = call.query("resource").filter(r -> !r.isBlank()).orElseThrow(() -> new EnclaveException(ErrorCode.BadRequest,
                "the query needs resource=<the resource to get a token for>, e.g. resource=https://storage.azure.com/"));
        String audience = Audiences.fromScopeOrResource(resource);
        ResourceId endpointId = deployment.parent().orElseThrow();
        OnlineEndpoint endpoint = endpoints.get(endpointId);
        EndpointIdentity.Acting acting = choose(endpoint, call);
        Principal principal = principals.byObjectId(acting.principalId()).orElseThrow(() -> new EnclaveException(ErrorCode.ResourceNotFound,
                acting.description() + " of endpoint '" + endpoint.name() + "' no longer exists in the directory"));
        TokenService.IssuedToken issued = tokens.issue(principal, audience, TokenService.DEFAULT_LIFETIME);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("access_token", issued.accessToken());
        // Azure answers expires_on as a string of epoch seconds.
        answer.put("expires_on", Long.toString(issued.expiresOn().getEpochSecond()));
        answer.put("resource", resource);
        answer.put("token_type", "Bearer");
        if (v2019) {
            answer.put("client_id", acting.clientId());
        }
        call.json(200, answer);
    }

    /** The identity a request names by client id (or object id), else the endpoint's primary one. */
    private static EndpointIdentity.Acting choose(OnlineEndpoint endpoint, Call call) {
        Optional<String> clientId = call.query("client_id").or(() -> call.query("clientid"));
        Optional<String> objectId = call.query("object_id").or(() -> call.query("principal_id"));
        List<EndpointIdentity.Acting> all = endpoint.identity().all();
        if (clientId.isPresent() || objectId.isPresent()) {
            return all.stream()
                    .filter(a -> clientId.map(a.clientId()::equalsIgnoreCase).orElse(true) && objectId.map(a.principalId()::equalsIgnoreCase).orElse(true))
                    .findFirst()
                    .orElseThrow(() -> new EnclaveException(ErrorCode.BadRequest, "endpoint '" + endpoint.name() + "' has no identity with "
                            + clientId.map(c -> "client id " + c).orElseGet(() -> "object id " + objectId.orElseThrow())
                            + "; its identities are " + all.stream().map(a -> a.clientId()).toList()));
        }
        return endpoint.identity().primary().orElseThrow(() -> new EnclaveException(ErrorCode.BadRequest, "endpoint '" + endpoint.name()
                + "' has no managed identity (identity type None); create the endpoint with a system-assigned or user-assigned identity"));
    }

    private static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
