package enclave.monitor.account;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryEndpointsTest {
    private final QueryEndpoints endpoints = new QueryEndpoints("local", QueryEndpoints.DEFAULT_DOMAIN, 47444, "https://127.0.0.1:47444");
    private final MonitorAccount account = new MonitorAccount("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Monitor/accounts/AMW",
            "AMW", "local", Map.of(), "0b5e0c4e-0000-4000-8000-000000000000", "1a2b3c4d", "Enabled", List.of(), Instant.EPOCH);

    @Test
    void theQueryHostIsAzuresShapeInLowerCase() {
        assertThat(endpoints.url(account)).isEqualTo("https://amw-1a2b3c4d.local.prometheus.monitor.azure.com:47444");
        assertThat(endpoints.pathUrl(account)).isEqualTo("https://127.0.0.1:47444/monitor/amw-1a2b3c4d");
    }

    @Test
    void onlyOneLabelUnderTheRegionsSuffixIsAQueryHost() {
        assertThat(endpoints.labelOfHost("AMW-1a2b3c4d.local.prometheus.monitor.azure.com")).hasValue("amw-1a2b3c4d");
        assertThat(endpoints.labelOfHost("x.amw-1a2b3c4d.local.prometheus.monitor.azure.com")).isEmpty();
        assertThat(endpoints.labelOfHost("amw-1a2b3c4d.eastus.prometheus.monitor.azure.com")).isEmpty();
        assertThat(endpoints.labelOfHost(".local.prometheus.monitor.azure.com")).isEmpty();
        assertThat(endpoints.labelOfHost("127.0.0.1")).isEmpty();
        assertThat(endpoints.labelOfHost(null)).isEmpty();
    }

    @Test
    void keysAreStableEightHexDigits() {
        assertThat(MonitorAccounts.keyOf("0b5e0c4e-0000-4000-8000-000000000000")).matches("[0-9a-f]{8}")
                .isEqualTo(MonitorAccounts.keyOf("0b5e0c4e-0000-4000-8000-000000000000"));
    }
}
