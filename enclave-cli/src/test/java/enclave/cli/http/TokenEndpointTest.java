package enclave.cli.http;

import static org.assertj.core.api.Assertions.assertThat;

import enclave.cli.console.CliException;
import enclave.core.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Failures of identity services in both shapes they come in, and the resource a scope names. */
class TokenEndpointTest {
    @Test
    void enclaveErrorsKeepTheirCode() throws IOException {
        CliException error = TokenEndpoint.error(response(401, "{\"error\":{\"code\":\"AuthenticationFailed\",\"message\":\"invalid_client: wrong\"}}"));
        assertThat(error.code()).isEqualTo("AuthenticationFailed");
        assertThat(error.getMessage()).isEqualTo("invalid_client: wrong");
    }

    @Test
    void oauthErrorsAboutCredentialsAreAuthenticationFailures() throws IOException {
        CliException grant = TokenEndpoint.error(response(400, "{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS50126: bad password\"}"));
        assertThat(grant.code()).isEqualTo("AuthenticationFailed");
        assertThat(grant.getMessage()).isEqualTo("AADSTS50126: bad password");

        CliException scope = TokenEndpoint.error(response(400, "{\"error\":\"invalid_scope\"}"));
        assertThat(scope.code()).isEqualTo("invalid_scope");
        assertThat(scope.getMessage()).isEqualTo("invalid_scope");
    }

    @Test
    void aScopeNamesItsResource() {
        assertThat(ManagedIdentityCredentials.resource("https://ml.azure.com/.default")).isEqualTo("https://ml.azure.com");
        assertThat(ManagedIdentityCredentials.resource("https://management.azure.com/.default offline_access")).isEqualTo("https://management.azure.com");
        assertThat(ManagedIdentityCredentials.resource("https://storage.azure.com")).isEqualTo("https://storage.azure.com");
    }

    private static ApiResponse response(int status, String body) throws IOException {
        return new ApiResponse(URI.create("https://127.0.0.1/t/oauth2/v2.0/token"), status, HttpHeaders.of(Map.of(), (name, value) -> true),
                Json.MAPPER.readTree(body), body);
    }
}
