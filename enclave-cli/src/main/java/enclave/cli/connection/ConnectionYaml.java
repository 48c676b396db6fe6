package enclave.cli.connection;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/** A workspace connection in Azure ML CLI v2's YAML names ({@code az ml connection create -f connection.yml}). */
public record ConnectionYaml(
        @JsonProperty("$schema") String schema,
        @JsonProperty("name") String name,
        @JsonProperty("type") String type,
        @JsonProperty("target") String target,
        @JsonProperty("api_key") String apiKey,
        @JsonProperty("credentials") Credentials credentials,
        @JsonProperty("metadata") Map<String, String> metadata,
        @JsonProperty("tags") Map<String, String> tags,
        @JsonProperty("description") String description) {

    /** The {@code credentials:} block; which fields apply depends on {@code type}. */
    public record Credentials(
            @JsonProperty("type") String type,
            @JsonProperty("key") String key,
            @JsonProperty("keys") Map<String, String> keys,
            @JsonProperty("username") String username,
            @JsonProperty("password") String password,
            @JsonProperty("pat") String pat,
            @JsonProperty("access_key_id") String accessKeyId,
            @JsonProperty("secret_access_key") String secretAccessKey,
            @JsonProperty("sas_token") String sasToken) {}
}
