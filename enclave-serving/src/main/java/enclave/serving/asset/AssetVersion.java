package enclave.serving.asset;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One version of a code, model or environment asset. Versions are immutable once created, as in Azure:
 * only description and tags change.
 *
 * @param uri for code and models, {@code azureml://datastores/<datastore>/paths/<path>} (a trailing slash marks a folder)
 * @param condaFile for environments, the conda file's text
 * @param image for environments, the base image the user named (recorded; the local runtime runs Debian's Python)
 */
public record AssetVersion(String id, AssetKind kind, String name, String version, Optional<String> uri, Optional<String> modelType,
        Optional<String> condaFile, Optional<String> image, String description, Map<String, String> tags, Instant createdAt) {
    public AssetVersion {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        description = description == null ? "" : description;
    }

    public boolean sameContent(AssetVersion other) {
        return uri.equals(other.uri) && condaFile.equals(other.condaFile) && image.equals(other.image) && modelType.equals(other.modelType);
    }
}
