package enclave.monitor.query;

import enclave.monitor.account.MonitorAccount;
import java.util.Optional;

/**
 * The network rule a query passes before authentication: given the account, either let the request through (empty) or
 * say why not (answered 403 {@code PublicNetworkAccessDisabled}). The gateway builds one per request from the request's
 * network path; private endpoints plug in here.
 */
@FunctionalInterface
public interface NetworkAccessCheck {
    Optional<String> refusal(MonitorAccount account);

    /**
     * The rule without private endpoints: on the public listener an account with public network access disabled is refused;
     * anything that came in another way passes.
     */
    static NetworkAccessCheck publicListener(boolean onPublicListener, String pathDescription) {
        return account -> onPublicListener && !account.publicNetworkAccessEnabled()
                ? Optional.of("monitor account '" + account.name() + "' has public network access disabled and this request came in on "
                        + pathDescription + "; query it through a private endpoint of the account (groupId prometheusMetrics), or set "
                        + "publicNetworkAccess to Enabled (enclave monitor account update -n " + account.name() + " --public-network-access Enabled)")
                : Optional.empty();
    }
}
