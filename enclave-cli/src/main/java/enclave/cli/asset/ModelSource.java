package enclave.cli.asset;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Where a deployment's model comes from: local files to upload and register, or a registered version. */
public sealed interface ModelSource {
    record Local(Path path, Optional<String> name, Optional<String> version, String type, Optional<String> description,
                 Map<String, String> tags) implements ModelSource {}

    record Registered(AssetReference reference) implements ModelSource {}

    static ModelSource reference(String field, String text) {
        return new Registered(AssetReference.parse(field, text, "upload the model with model.path or register it in the workspace"));
    }
}
