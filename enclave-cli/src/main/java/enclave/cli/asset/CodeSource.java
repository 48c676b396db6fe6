package enclave.cli.asset;

import java.nio.file.Path;

/** Where a deployment's scoring code comes from: a local folder to upload, or a registered code version. */
public sealed interface CodeSource {
    record Local(Path directory) implements CodeSource {}

    record Registered(AssetReference reference) implements CodeSource {}

    static CodeSource reference(String field, String text) {
        return new Registered(AssetReference.parse(field, text, "point code_configuration.code at a local folder"));
    }
}
