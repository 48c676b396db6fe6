package enclave.serving.deployment;

import enclave.core.ResourceId;
import enclave.serving.runtime.WorkerNetwork;
import enclave.serving.workspace.Workspace;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where a deployment's workers sit on the network. The server's implementation builds, for
 * {@code egress_public_network_access: disabled}, a managed network with private endpoints to the workspace, its storage and its
 * registry and runs the workers in a network namespace that reaches only those; otherwise workers share the host network and use
 * the platform's DNS. Kept behind this interface so the serving module does not depend on the network module.
 */
public interface DeploymentNetworks {

    /** Refuses, before anything is stored, a deployment whose network this platform cannot build (e.g. no namespaces). */
    void validate(OnlineDeployment deployment);

    /** Builds (idempotently: again after a restart or for a new generation) the deployment's network and says how workers join it. */
    Placement prepare(OnlineDeployment deployment, Workspace workspace, Path workDir);

    /** Removes what {@link #prepare} built for the deployment (managed network, private endpoints, listeners); idempotent. */
    void release(ResourceId deployment);

    /** How workers join the network: the namespaces, variables that replace the platform's defaults, and a Java trust store. */
    record Placement(WorkerNetwork network, Map<String, String> environment, Optional<Path> trustStore) {
        public Placement {
            environment = Map.copyOf(environment);
        }
    }

    /** Every deployment in the host network, nothing managed: for tests that need no networking. */
    DeploymentNetworks HOST = new DeploymentNetworks() {
        @Override
        public void validate(OnlineDeployment deployment) {
            if (!"Enabled".equalsIgnoreCase(deployment.egressPublicNetworkAccess())) {
                throw new enclave.core.EnclaveException(enclave.core.ErrorCode.NetworkIsolationUnavailable,
                        "egress_public_network_access: disabled needs the platform's private networking, which this server was built without");
            }
        }

        @Override
        public Placement prepare(OnlineDeployment deployment, Workspace workspace, Path workDir) {
            return new Placement(new WorkerNetwork.Host(), Map.of(), Optional.empty());
        }

        @Override
        public void release(ResourceId deployment) {
        }
    };
}
