package enclave.serving.runtime;

import java.util.function.Consumer;

/**
 * Turns a deployment's files into running worker instances. The default runtime runs the user's
 * {@code score.py} in local Python processes; a cluster runtime would run pods. The reconciler is
 * the only caller.
 */
public interface WorkerRuntime {
    /**
     * Starts {@code spec.instanceCount()} instances and returns once every one is ready.
     *
     * @param stage told each stage as it begins ("checking environment", "initializing", "probing")
     * @throws enclave.core.EnclaveException with {@code MissingPythonPackage} or {@code ScoringScriptInitFailed}
     *     (message carries the log tail) when the deployment cannot start; nothing is left running then
     */
    RunningDeployment start(WorkerSpec spec, Consumer<String> stage);
}
