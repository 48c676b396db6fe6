package enclave.serving.endpoint;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import java.util.Map;
import java.util.Set;

/** Azure's rules for {@code traffic} and {@code mirror_traffic}. */
public final class TrafficRules {
    private TrafficRules() {}

    /**
     * Traffic weights are 0-100 and sum to 0 or 100; mirror traffic is at most 50 % for one deployment that takes no live
     * traffic; every name must be a deployment of the endpoint.
     */
    public static void validate(String endpoint, Map<String, Integer> traffic, Map<String, Integer> mirror, Set<String> deployments) {
        int sum = 0;
        for (Map.Entry<String, Integer> entry : traffic.entrySet()) {
            requireDeployment(endpoint, entry.getKey(), deployments, "traffic");
            int weight = entry.getValue() == null ? -1 : entry.getValue();
            if (weight < 0 || weight > 100) {
                throw new EnclaveException(ErrorCode.InvalidTraffic, "traffic for deployment '" + entry.getKey() + "' is " + entry.getValue()
                        + "; use a whole number from 0 to 100");
            }
            sum += weight;
        }
        if (sum != 0 && sum != 100) {
            throw new EnclaveException(ErrorCode.InvalidTraffic, "traffic of endpoint '" + endpoint + "' adds up to " + sum + "; it must add up to 100 (or 0 to stop live traffic): "
                    + traffic);
        }
        long shadows = mirror.values().stream().filter(v -> v != null && v > 0).count();
        if (shadows > 1) {
            throw new EnclaveException(ErrorCode.InvalidTraffic, "mirror traffic can go to one deployment only; got " + mirror);
        }
        for (Map.Entry<String, Integer> entry : mirror.entrySet()) {
            requireDeployment(endpoint, entry.getKey(), deployments, "mirror traffic");
            int weight = entry.getValue() == null ? -1 : entry.getValue();
            if (weight < 0 || weight > 50) {
                throw new EnclaveException(ErrorCode.InvalidTraffic, "mirror traffic for deployment '" + entry.getKey() + "' is " + entry.getValue()
                        + "; use a whole number from 0 to 50");
            }
            if (weight > 0 && traffic.getOrDefault(entry.getKey(), 0) > 0) {
                throw new EnclaveException(ErrorCode.InvalidTraffic, "deployment '" + entry.getKey()
                        + "' takes live traffic, so it cannot also take mirror traffic; set its live traffic to 0 first");
            }
        }
    }

    private static void requireDeployment(String endpoint, String name, Set<String> deployments, String what) {
        if (!deployments.contains(name.toLowerCase(java.util.Locale.ROOT))) {
            throw new EnclaveException(ErrorCode.InvalidTraffic, what + " names deployment '" + name + "', which endpoint '" + endpoint
                    + "' does not have" + (deployments.isEmpty() ? " (it has no deployments yet; create one first)" : "; its deployments are " + deployments));
        }
    }
}
