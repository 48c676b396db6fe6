package enclave.server.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import org.junit.jupiter.api.Test;

/** What `enclave network diagnose` makes of a URL or a bare host: host, port and path. */
class NetworkDiagnosisLocationTest {
    private static final int GATEWAY = 47444;

    @Test
    void aUrlKeepsItsPortAndPathAndItsSchemesDefaultPortWhenItNamesNone() {
        assertThat(NetworkDiagnosis.Location.parse("https://Acct.Blob.Core.Windows.Net:47444/c/b%2Fx", GATEWAY))
                .isEqualTo(new NetworkDiagnosis.Location("acct.blob.core.windows.net", 47444, "/c/b%2Fx"));
        assertThat(NetworkDiagnosis.Location.parse("https://ep1.local.inference.ml.azure.com/score", GATEWAY).port()).isEqualTo(443);
        assertThat(NetworkDiagnosis.Location.parse("http://127.0.0.1/endpoints/ep1/score", GATEWAY))
                .isEqualTo(new NetworkDiagnosis.Location("127.0.0.1", 80, "/endpoints/ep1/score"));
    }

    @Test
    void aBareHostIsReachedOnTheGatewayPortUnlessItNamesOne() {
        assertThat(NetworkDiagnosis.Location.parse(" acct.blob.core.windows.net. ", GATEWAY))
                .isEqualTo(new NetworkDiagnosis.Location("acct.blob.core.windows.net", GATEWAY, ""));
        assertThat(NetworkDiagnosis.Location.parse("acct.blob.core.windows.net:8443", GATEWAY).port()).isEqualTo(8443);
    }

    @Test
    void nothingOrNoHostIsABadRequestThatSaysWhatToGive() {
        for (String bad : new String[] {"", "  ", "https:///c/b"}) {
            EnclaveException e = catchThrowableOfType(EnclaveException.class, () -> NetworkDiagnosis.Location.parse(bad, GATEWAY));
            assertThat(e).as(bad).isNotNull();
            assertThat(e.code()).isEqualTo(ErrorCode.InvalidRequestContent);
            assertThat(e.getMessage()).containsAnyOf("a URL", "names no host");
        }
    }
}
