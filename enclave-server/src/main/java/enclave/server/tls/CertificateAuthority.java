package enclave.server.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The platform's TLS certificate authority (ECDSA P-256, made on first start, kept in {@code <home>/tls}), and the
 * server certificates it issues for the listeners. Certificate building is BouncyCastle's. Next to {@code ca.pem} it
 * keeps {@code ca-truststore.p12}, a PKCS#12 trust store holding only the CA certificate (password
 * {@value #TRUST_STORE_PASSWORD}), for Java clients ({@code -Djavax.net.ssl.trustStore=...}).
 */
public final class CertificateAuthority {
    private static final String SIGNATURE = "SHA256withECDSA";
    /** The trust store's password: it holds only a public certificate, so the JDK's conventional one. */
    public static final String TRUST_STORE_PASSWORD = "changeit";
    public static final String TRUST_STORE_TYPE = "PKCS12";
    private final X509Certificate certificate;
    private final PrivateKey key;
    private final Path certificateFile;
    private final Path trustStoreFile;

    private CertificateAuthority(X509Certificate certificate, PrivateKey key, Path certificateFile) {
        this.certificate = certificate;
        this.key = key;
        this.certificateFile = certificateFile;
        this.trustStoreFile = certificateFile.resolveSibling("ca-truststore.p12");
    }

    /** Loads the CA from {@code directory}, creating it on first use. */
    public static CertificateAuthority open(Path directory) {
        Path certFile = directory.resolve("ca.pem");
        Path keyFile = directory.resolve("ca-key.pem");
        try {
            Files.createDirectories(directory);
            if (Files.exists(certFile) && Files.exists(keyFile)) {
                return new CertificateAuthority(readCertificate(certFile), readKey(keyFile), certFile).withTrustStore();
            }
            KeyPair pair = newKeyPair();
            X500Name name = new X500Name("CN=Enclave local CA " + Instant.now().getEpochSecond() + ",O=Enclave");
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(), Date.from(Instant.now().minus(Duration.ofHours(1))),
                    Date.from(Instant.now().plus(Duration.ofDays(3650))), name, pair.getPublic());
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(pair.getPublic()));
            X509Certificate cert = convert(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(pair.getPrivate())));
            // PKCS#8 keeps the curve with the key; BouncyCastle's "EC PRIVATE KEY" of a JDK key drops it.
            writePem(keyFile, new JcaPKCS8Generator(pair.getPrivate(), null), true);
            writePem(certFile, cert, false);
            return new CertificateAuthority(cert, pair.getPrivate(), certFile).withTrustStore();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the certificate authority in " + directory, e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create the certificate authority", e);
        }
    }

    public Path certificateFile() {
        return certificateFile;
    }

    /** {@code <home>/tls/ca-truststore.p12}: PKCS#12, password {@value #TRUST_STORE_PASSWORD}, the CA certificate as entry {@code enclave-ca}. */
    public Path trustStoreFile() {
        return trustStoreFile;
    }

    /** Writes the trust store (each start, so it always matches {@code ca.pem}). */
    private CertificateAuthority withTrustStore() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(TRUST_STORE_TYPE);
        store.load(null, null);
        store.setCertificateEntry("enclave-ca", certificate);
        Path temp = trustStoreFile.resolveSibling(trustStoreFile.getFileName() + ".tmp");
        try (var out = Files.newOutputStream(temp)) {
            store.store(out, TRUST_STORE_PASSWORD.toCharArray());
        }
        Files.move(temp, trustStoreFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return this;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /**
     * A key store holding a fresh server key and a certificate for {@code dnsNames} and {@code ipAddresses}, chained to this CA.
     */
    public KeyStore issueServerKeyStore(List<String> dnsNames, List<String> ipAddresses, char[] password) {
        try {
            KeyPair pair = newKeyPair();
            X500Name subject = new X500Name("CN=" + (dnsNames.isEmpty() ? ipAddresses.getFirst() : dnsNames.getFirst()) + ",O=Enclave");
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(), Date.from(Instant.now().minus(Duration.ofHours(1))),
                    Date.from(Instant.now().plus(Duration.ofDays(397))), subject, pair.getPublic());
            List<GeneralName> names = new ArrayList<>();
            dnsNames.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
            ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(certificate));
            X509Certificate cert = convert(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(key)));
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", pair.getPrivate(), password, new java.security.cert.Certificate[] {cert, certificate});
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue a server certificate", e);
        }
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(128, new SecureRandom());
    }

    private static X509Certificate convert(X509CertificateHolder holder) throws GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    private static void writePem(Path file, Object object, boolean secret) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        }
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temp, text.toString());
        if (secret) {
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not POSIX: rely on the data directory's permissions
            }
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static X509Certificate readCertificate(Path file) throws IOException, GeneralSecurityException {
        try (Reader reader = Files.newBufferedReader(file); PEMParser parser = new PEMParser(reader)) {
            return convert((X509CertificateHolder) parser.readObject());
        }
    }

    private static PrivateKey readKey(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file); PEMParser parser = new PEMParser(reader)) {
            Object object = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (object instanceof PEMKeyPair pair) {
                // Homes made before the key was written as PKCS#8 hold an "EC PRIVATE KEY" without its curve: the CA's is always P-256.
                ECPrivateKey sec1 = ECPrivateKey.getInstance(pair.getPrivateKeyInfo().parsePrivateKey());
                return converter.getPrivateKey(new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, SECObjectIdentifiers.secp256r1), sec1));
            }
            return converter.getPrivateKey((PrivateKeyInfo) object);
        }
    }
}
