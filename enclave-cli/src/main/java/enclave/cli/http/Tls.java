package enclave.cli.http;

import enclave.cli.console.CliException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** TLS that trusts exactly the platform CA of one Enclave home, nothing from the JDK's default store. */
public final class Tls {
    private Tls() {}

    public static SSLContext trusting(Path caPem) {
        try (InputStream in = Files.newInputStream(caPem)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new CliException("TlsError", "no certificate found in " + caPem);
            }
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                trusted.setCertificateEntry("enclave-ca-" + i++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (NoSuchFileException e) {
            throw new CliException("ServerNotRunning", "the platform CA certificate " + caPem
                    + " does not exist: start the server once with ./enclave up");
        } catch (IOException | GeneralSecurityException e) {
            throw new CliException("TlsError", "cannot read the platform CA certificate " + caPem + ": " + e.getMessage());
        }
    }
}
