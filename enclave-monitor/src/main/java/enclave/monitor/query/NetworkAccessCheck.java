package enclave.monitor.query;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.monitor.account.MonitorAccount;
import java.util.Optional;

/**
 * The network rule a query passes before authentication: given the account, either let the request through (empty) or
 * say why not (the exception's code and message are the answer, e.g. 403 {@code PublicNetworkAccessDisabled}). The gateway builds one per request from the request's
 * network path; private endpoints plug in here.
 */
@FunctionalInterface
public interface NetworkAccessCheck {
    Optional<EnclaveException> refusal(MonitorAccount account);

    /**
     * The rule without private endpoints: on the public listener an account with public network access disabled is refused;
     * anything that came in another way passes.
     */
    static NetworkAccessCheck publicListener(boolean onPublicListener, String pathDescription) {
        return account -> onPublicListener && !account.publicNetworkAccessEnabled()
                ? Optional.of(new EnclaveException(ErrorCode.PublicNetworkAccessDisabled, "monitor account '" + account.name() + "' has public network access disabled and this request came in on "
                        + pathDescription + "; query it through a private endpoint of the account (groupId prometheusMetrics), or set "
                        + "publicNetworkAccess to Enabled (enclave monitor account update -n " + account.name() + " --public-network-access Enabled)"))
                : Optional.empty();
    }
}
