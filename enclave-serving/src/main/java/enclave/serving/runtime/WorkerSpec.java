package enclave.serving.runtime;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a runtime needs to run one deployment.
 *
 * @param deploymentId the deployment's ARM id, for logs and events
 * @param workDir a directory the runtime owns for this deployment (sockets, logs); it exists
 * @param codeDir the directory holding the scoring script (imported with this on {@code sys.path})
 * @param scoringScript path of the script relative to {@code codeDir}, e.g. {@code score.py}
 * @param modelDir the value of {@code AZUREML_MODEL_DIR}
 * @param environment the deployment's {@code environment_variables} plus platform variables
 * @param condaFile the conda file text, when the environment has one; checked before start
 */
public record WorkerSpec(
        String deploymentId,
        Path workDir,
        Path codeDir,
        String scoringScript,
        Path modelDir,
        Map<String, String> environment,
        int instanceCount,
        RequestSettings requestSettings,
        ProbeSettings liveness,
        ProbeSettings readiness,
        Optional<String> condaFile) {
    public WorkerSpec {
        Objects.requireNonNull(deploymentId);
        environment = Map.copyOf(environment);
        if (instanceCount < 1) {
            throw new IllegalArgumentException("instanceCount must be at least 1");
        }
    }
}
