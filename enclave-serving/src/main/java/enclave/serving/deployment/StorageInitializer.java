package enclave.serving.deployment;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.ResourceId;
import enclave.serving.asset.AssetVersion;
import enclave.serving.asset.DatastorePath;
import enclave.serving.workspace.Workspace;
import enclave.serving.workspace.Workspaces;
import enclave.storage.blob.BlobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;

/**
 * Copies a deployment's code and model from the workspace's default storage into its working directory,
 * as Azure's storage-initializer container does, and logs what it did to {@code logs/storage-initializer.log}.
 */
public final class StorageInitializer {
    private final BlobStore blobs;
    private final Clock clock;

    public StorageInitializer(BlobStore blobs, Clock clock) {
        this.blobs = blobs;
        this.clock = clock;
    }

    /** Where the pulled files are: the code directory and the value of {@code AZUREML_MODEL_DIR}. */
    public record Pulled(Path codeDir, Path modelDir) {}

    /**
     * Pulls code and model after {@code permissionCheck} passes (it throws when the endpoint's identity may not read them); a
     * refusal is written to the log as well, so {@code get-logs --container storage-initializer} shows it.
     */
    public Pulled pull(Workspace workspace, AssetVersion code, AssetVersion model, Path workDir, Runnable permissionCheck) {
        String account = ResourceId.parse(workspace.storageAccount()).name();
        Path log = workDir.resolve("logs").resolve("storage-initializer.log");
        try {
            Files.createDirectories(log.getParent());
            try {
                permissionCheck.run();
            } catch (EnclaveException e) {
                Files.writeString(log, clock.instant() + " refused: " + e.getMessage() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
                throw e;
            }
            Path codeDir = workDir.resolve("code");
            DatastorePath codePath = DatastorePath.parse(code.uri().orElseThrow());
            int codeFiles = copy(account, codePath, codeDir, log, "code " + code.name() + ":" + code.version());
            if (codeFiles == 0) {
                throw new EnclaveException(ErrorCode.DeploymentFailed, "code " + code.name() + ":" + code.version() + " has no files at " + code.uri().orElseThrow());
            }
            Path modelDir = workDir.resolve("azureml-models").resolve(model.name()).resolve(model.version());
            DatastorePath modelPath = DatastorePath.parse(model.uri().orElseThrow());
            // A folder keeps its own name under AZUREML_MODEL_DIR; a single file lands directly in it (Azure's layout).
            Path modelTarget = modelPath.isFolder() ? modelDir.resolve(modelPath.lastName()) : modelDir;
            int modelFiles = copy(account, modelPath, modelTarget, log, "model " + model.name() + ":" + model.version());
            if (modelFiles == 0) {
                throw new EnclaveException(ErrorCode.DeploymentFailed, "model " + model.name() + ":" + model.version() + " has no files at " + model.uri().orElseThrow());
            }
            return new Pulled(codeDir, modelDir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare " + workDir, e);
        }
    }

    private int copy(String account, DatastorePath path, Path target, Path log, String what) throws IOException {
        Files.createDirectories(target);
        // The blob store treats the prefix as a path: a folder's blobs land below target, a single file lands in target.
        int count = blobs.downloadPrefix(account, Workspaces.DEFAULT_CONTAINER, path.path().replaceAll("/+$", ""), target);
        Files.writeString(log, clock.instant() + " pulled " + what + ": " + count + " file(s) from " + account + "/" + Workspaces.DEFAULT_CONTAINER + "/"
                + path.path() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return count;
    }
}
