package enclave.cli.asset;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Optional;

/** A deployment's environment: defined inline (image and conda file) or a registered environment version. */
public sealed interface EnvironmentSource {
    record Inline(String image, Optional<String> condaFile, Optional<JsonNode> inferenceConfig, Optional<String> name,
                  Optional<String> version, Optional<String> description, Map<String, String> tags) implements EnvironmentSource {}

    record Registered(AssetReference reference) implements EnvironmentSource {}

    static EnvironmentSource reference(String field, String text) {
        return new Registered(AssetReference.parse(field, text,
                "define the environment in the file with conda_file and image instead"));
    }
}
