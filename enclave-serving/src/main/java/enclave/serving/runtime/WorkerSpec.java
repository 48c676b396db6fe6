package enclave.serving.runtime;

import java.nio.file.Path;
import java.util.HashMap;
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
 * @param environment the deployment's {@code environment_variables} plus platform variables, exactly as the worker
 *     sees them (only {@code PATH}, {@code HOME}, {@code LANG} come from the server, unless set here, and the runtime's
 *     own {@code AZUREML_MODEL_DIR}, {@code PYTHONUNBUFFERED}, {@code PYTHONDONTWRITEBYTECODE} and, with a trust store,
 *     {@code JAVA_TOOL_OPTIONS})
 * @param condaFile the conda file text, when the environment has one; checked before start
 * @param network the network the workers see: the host's, or namespaces made by the sandbox
 * @param trustStore a PKCS12 trust store (password {@code changeit}) holding the platform CA, which Java code in the
 *     worker then trusts through {@code JAVA_TOOL_OPTIONS}
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
        Optional<String> condaFile,
        WorkerNetwork network,
        Optional<Path> trustStore) {
    public WorkerSpec {
        Objects.requireNonNull(deploymentId);
        environment = Map.copyOf(environment);
        if (instanceCount < 1) {
            throw new IllegalArgumentException("instanceCount must be at least 1");
        }
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(trustStore, "trustStore");
    }

    /** This spec with its workers on {@code network}. */
    public WorkerSpec withNetwork(WorkerNetwork network) {
        return new WorkerSpec(deploymentId, workDir, codeDir, scoringScript, modelDir, environment, instanceCount,
                requestSettings, liveness, readiness, condaFile, network, trustStore);
    }

    /** This spec with Java code in its workers trusting {@code trustStore} (PKCS12, password {@code changeit}). */
    public WorkerSpec withTrustStore(Path trustStore) {
        return new WorkerSpec(deploymentId, workDir, codeDir, scoringScript, modelDir, environment, instanceCount,
                requestSettings, liveness, readiness, condaFile, network, Optional.of(trustStore));
    }

    /**
     * This spec with {@code overrides} replacing or adding variables, e.g. {@code MSI_ENDPOINT} and
     * {@code IDENTITY_ENDPOINT} pointing at a forward inside an isolated network.
     */
    public WorkerSpec withEnvironment(Map<String, String> overrides) {
        Map<String, String> merged = new HashMap<>(environment);
        merged.putAll(overrides);
        return new WorkerSpec(deploymentId, workDir, codeDir, scoringScript, modelDir, merged, instanceCount,
                requestSettings, liveness, readiness, condaFile, network, trustStore);
    }
}
