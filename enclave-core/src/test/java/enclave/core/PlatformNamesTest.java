package enclave.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PlatformNamesTest {
    private final PlatformNames names = PlatformNames.azure("local");

    @Test
    void buildsAzureShapedNames() {
        assertThat(names.blobHost("Acct1")).isEqualTo("acct1.blob.core.windows.net");
        assertThat(names.scoringHost("ep1")).isEqualTo("ep1.local.inference.ml.azure.com");
        assertThat(names.workspaceHost("0f1e")).isEqualTo("0f1e.workspace.local.api.azureml.ms");
        assertThat(names.registryHost("cr1")).isEqualTo("cr1.azurecr.io");
        assertThat(names.certificateWildcards()).containsExactly("*.blob.core.windows.net", "*.local.inference.ml.azure.com",
                "*.workspace.local.api.azureml.ms", "*.azurecr.io", "*.local.prometheus.monitor.azure.com");
    }

    @Test
    void readsTheResourceFromAHostWithOrWithoutPortAnyCase() {
        assertThat(names.blobAccountOf("acct1.blob.core.windows.net")).hasValue("acct1");
        assertThat(names.blobAccountOf("ACCT1.Blob.Core.Windows.Net:8443")).hasValue("acct1");
        assertThat(names.blobAccountOf("acct1.blob.core.windows.net.")).hasValue("acct1");
        assertThat(names.endpointOf("ep-1.local.inference.ml.azure.com:47444")).hasValue("ep-1");
    }

    @Test
    void ignoresHostsItDoesNotServe() {
        assertThat(names.blobAccountOf("127.0.0.1")).isEmpty();
        assertThat(names.blobAccountOf("blob.core.windows.net")).isEmpty();
        assertThat(names.blobAccountOf(".blob.core.windows.net")).isEmpty();
        assertThat(names.blobAccountOf("a.b.blob.core.windows.net")).isEmpty();
        assertThat(names.blobAccountOf("acct1xblob.core.windows.net")).isEmpty();
        assertThat(names.endpointOf("ep1.westeurope.inference.ml.azure.com")).isEmpty();
        assertThat(names.endpointOf(null)).isEmpty();
        assertThat(names.endpointOf("[::1]:443")).isEmpty();
    }

    @Test
    void suffixesAreConfigurableAndChecked() {
        PlatformNames custom = new PlatformNames("lab", "storage.example", "ml.example", "api.example", "cr.example", "mon.example");
        assertThat(custom.blobAccountOf("a1.blob.storage.example")).hasValue("a1");
        assertThat(custom.blobAccountOf("a1.blob.core.windows.net")).isEmpty();
        assertThatThrownBy(() -> PlatformNames.azure("West Europe")).hasMessageContaining("region 'West Europe' must be one lower-case DNS label");
        assertThatThrownBy(() -> new PlatformNames("lab", "example", "ml.example", "api.example", "cr.example", "mon.example"))
                .hasMessageContaining("storageSuffix 'example' must be a DNS name of at least two labels");
    }
}
