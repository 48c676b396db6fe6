package enclave.network.dns;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;

/**
 * What a virtual network link does with a name inside its zone that the zone lacks: {@code Default} answers NXDOMAIN
 * (Azure's behaviour), {@code NxDomainRedirect} falls back to the public answer.
 */
public enum ResolutionPolicy {
    Default,
    NxDomainRedirect;

    /** Parses the ARM value in any case, failing with {@code InvalidRequestContent}. */
    public static ResolutionPolicy parse(String value) {
        for (ResolutionPolicy policy : values()) {
            if (policy.name().equalsIgnoreCase(value)) {
                return policy;
            }
        }
        throw new EnclaveException(ErrorCode.InvalidRequestContent,
                "resolutionPolicy '" + value + "' is invalid: use 'Default' or 'NxDomainRedirect'");
    }
}
