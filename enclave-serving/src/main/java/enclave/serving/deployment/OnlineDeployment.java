package enclave.serving.deployment;

import enclave.serving.endpoint.ProvisioningState;
import enclave.serving.runtime.ProbeSettings;
import enclave.serving.runtime.RequestSettings;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A deployment's desired state: which model, code and environment versions run, how many instances, and the
 * request and probe settings. {@code generation} grows with every change so working directories never collide.
 */
public record OnlineDeployment(String id, String name, String endpointName, String location, String description, Map<String, String> tags,
        String model, String codeId, String scoringScript, String environmentId, Map<String, String> environmentVariables, String instanceType,
        int instanceCount, RequestSettings requestSettings, ProbeSettings livenessProbe, ProbeSettings readinessProbe,
        String egressPublicNetworkAccess, ProvisioningState provisioningState, Optional<String> error, int generation, Instant createdAt) {
    public OnlineDeployment {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        environmentVariables = environmentVariables == null ? Map.of() : Map.copyOf(environmentVariables);
        description = description == null ? "" : description;
        error = error == null ? Optional.empty() : error;
    }

    public OnlineDeployment withState(ProvisioningState state, Optional<String> newError) {
        return new OnlineDeployment(id, name, endpointName, location, description, tags, model, codeId, scoringScript, environmentId, environmentVariables,
                instanceType, instanceCount, requestSettings, livenessProbe, readinessProbe, egressPublicNetworkAccess, state, newError, generation, createdAt);
    }
}
