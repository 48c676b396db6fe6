package enclave.cli.workspace;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/** The settable fields of a workspace in Azure ML CLI v2's YAML names (what {@code update --set} addresses). */
public record WorkspaceYaml(
        @JsonProperty("$schema") String schema,
        @JsonProperty("name") String name,
        @JsonProperty("location") String location,
        @JsonProperty("description") String description,
        @JsonProperty("display_name") String displayName,
        @JsonProperty("tags") Map<String, String> tags,
        @JsonProperty("public_network_access") String publicNetworkAccess) {}
