package enclave.server.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {
    @TempDir
    Path dir;

    @Test
    void reopensTheSameAuthorityOnTheNextStart() throws Exception {
        CertificateAuthority first = CertificateAuthority.open(dir);
        CertificateAuthority second = CertificateAuthority.open(dir);
        assertThat(second.certificate()).isEqualTo(first.certificate());
        // the reopened key still signs certificates that chain to the same CA
        KeyStore keys = second.issueServerKeyStore(List.of("localhost"), List.of("127.0.0.1"), "pw".toCharArray());
        X509Certificate server = (X509Certificate) keys.getCertificate("server");
        server.verify(first.certificate().getPublicKey());
        assertThat(server.getSubjectAlternativeNames().stream().map(name -> String.valueOf(name.get(1))).toList()).contains("localhost", "127.0.0.1");
    }

    @Test
    void keepsAPkcs12TrustStoreOfTheCaForJavaClients() throws Exception {
        CertificateAuthority ca = CertificateAuthority.open(dir);
        assertThat(ca.trustStoreFile()).isEqualTo(dir.resolve("ca-truststore.p12"));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (var in = java.nio.file.Files.newInputStream(ca.trustStoreFile())) {
            trust.load(in, CertificateAuthority.TRUST_STORE_PASSWORD.toCharArray());
        }
        assertThat(java.util.Collections.list(trust.aliases())).containsExactly("enclave-ca");
        assertThat(trust.isCertificateEntry("enclave-ca")).isTrue();
        assertThat(trust.getCertificate("enclave-ca")).isEqualTo(ca.certificate());
        // a server certificate with wildcard names chains to what the trust store holds
        KeyStore keys = ca.issueServerKeyStore(List.of("*.blob.core.windows.net"), List.of("127.42.1.4"), "pw".toCharArray());
        ((X509Certificate) keys.getCertificate("server")).verify(trust.getCertificate("enclave-ca").getPublicKey());
    }
}
