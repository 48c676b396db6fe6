package enclave.serving.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URISyntaxException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Real workers in real namespaces (the tests run as root): what a scoring script can reach, resolve and read when
 * its deployment's network is {@code Isolated} or {@code Resolved}, and that nothing outlives the deployment.
 */
class SandboxedWorkerTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ProbeSettings READINESS =
            new ProbeSettings(Duration.ofSeconds(20), Duration.ofMillis(100), Duration.ofSeconds(1), 1, 3);
    private static final ProbeSettings LIVENESS =
            new ProbeSettings(Duration.ZERO, Duration.ofMillis(500), Duration.ofSeconds(1), 1, 3);
    private static final RequestSettings REQUESTS = new RequestSettings(Duration.ofSeconds(30), 4, Duration.ofSeconds(2));

    private static final String PRIVATE_NAME = "acct.blob.core.windows.net";
    private static final String PRIVATE_IP = "127.77.0.4";
    private static final String DNS_IP = "127.77.0.2";
    private static final String MSI_PORT = "46808";
    private static final String TLS_PASSWORD = "changeit";

    @TempDir
    static Path shared;

    private static PythonWorkerRuntime runtime;
    private static UnixDnsServer dns;
    private static UnixHttpServer blob;
    private static UnixHttpServer msi;
    private static ServerSocket hostServer;

    @TempDir
    Path workDir;

    @BeforeAll
    static void start() throws Exception {
        runtime = new PythonWorkerRuntime(PYTHON, shared.resolve("runtime"));
        dns = new UnixDnsServer(shared.resolve("dns.sock"), PRIVATE_NAME, PRIVATE_IP);
        blob = new UnixHttpServer(shared.resolve("blob.sock"), "blob service",
                Optional.of(selfSignedKeyStore(PRIVATE_NAME, shared.resolve("ca.pem"))));
        msi = new UnixHttpServer(shared.resolve("msi.sock"), "token service", Optional.empty());
        // A server in the host's network namespace: reachable from a Resolved worker, never from an Isolated one.
        hostServer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!hostServer.isClosed()) {
                try (Socket accepted = hostServer.accept()) {
                    accepted.getOutputStream().flush();
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    @AfterAll
    static void stop() throws Exception {
        runtime.close();
        dns.close();
        blob.close();
        msi.close();
        hostServer.close();
    }

    @Test
    void anIsolatedWorkerReachesOnlyItsForwardsAndResolvesThroughThePlatformDns() throws Exception {
        Path resolvConf = Files.writeString(workDir.resolve("resolv.conf"), "nameserver " + DNS_IP + "\noptions attempts:1\n");
        WorkerNetwork network = new WorkerNetwork.Isolated(resolvConf,
                List.of(new WorkerNetwork.TcpForward(PRIVATE_IP, 443, blob.path()),
                        new WorkerNetwork.TcpForward("127.0.0.1", Integer.parseInt(MSI_PORT), msi.path()),
                        new WorkerNetwork.TcpForward("127.77.0.5", 443, shared.resolve("nobody-listens.sock"))),
                new WorkerNetwork.DnsForward(DNS_IP, dns.path()));
        WorkerSpec spec = spec("dns,http", network)
                .withEnvironment(Map.of("SSL_CERT_FILE", shared.resolve("ca.pem").toString(),
                        "MSI_ENDPOINT", "http://127.0.0.1:" + MSI_PORT + "/enclave/msi/token",
                        "BROKEN_FORWARD_URL", "http://127.77.0.5:443/"))
                .withTrustStore(Path.of("/srv/enclave/tls/ca-truststore.p12"));

        long started = System.nanoTime();
        try (RunningDeployment deployment = runtime.start(spec, stage -> {})) {
            System.out.printf("isolated worker ready in %d ms%n", (System.nanoTime() - started) / 1_000_000);
            JsonNode seen = score(deployment);

            assertThat(seen.get("resolv_conf").asText()).isEqualTo(Files.readString(resolvConf));
            assertThat(seen.get("hosts").asText()).contains("127.0.0.1\tlocalhost").doesNotContain(PRIVATE_NAME);
            assertThat(seen.get("resolved").asText()).isEqualTo(PRIVATE_IP);
            assertThat(seen.get("resolved_tcp").asText()).isEqualTo(PRIVATE_IP);
            assertThat(seen.get("unknown").asText()).startsWith("error: gaierror");
            assertThat(seen.get("fetched").asText()).isEqualTo("blob service: GET /container/blob.txt Host: " + PRIVATE_NAME);
            assertThat(seen.get("msi").asText())
                    .isEqualTo("token service: GET /enclave/msi/token?resource=https://storage.azure.com/ Host: 127.0.0.1:" + MSI_PORT);
            // The host's loopback is another namespace's: nothing listens on this port here.
            assertThat(seen.get("host_tcp").asText()).startsWith("error: ConnectionRefusedError");
            assertThat(seen.get("java_tool_options").asText()).isEqualTo("-Djavax.net.ssl.trustStore=/srv/enclave/tls/ca-truststore.p12"
                    + " -Djavax.net.ssl.trustStoreType=PKCS12 -Djavax.net.ssl.trustStorePassword=changeit");
            assertThat(dns.questions()).contains(PRIVATE_NAME + ". A", "not-served.example. A");
            // A forward whose platform socket is gone: the client sees the connection close, the console log says why.
            assertThat(seen.get("broken_forward").asText()).startsWith("error: ");
            assertThat(deployment.consoleLog(50)).contains("enclave-sandbox: forward 127.77.0.5:443: cannot reach "
                    + shared.resolve("nobody-listens.sock") + ": [Errno 2] No such file or directory");
        }
    }

    @Test
    void aWorkerThatCrashesInsideTheSandboxIsRestartedInAFreshNamespace() throws Exception {
        Path resolvConf = Files.writeString(workDir.resolve("resolv.conf"), "nameserver " + DNS_IP + "\n");
        WorkerNetwork network = new WorkerNetwork.Isolated(resolvConf, List.of(), new WorkerNetwork.DnsForward(DNS_IP, dns.path()));
        WorkerSpec spec = new WorkerSpec("crashy", workDir, resource("crashy"), "score.py", resource("models/linear"), Map.of(), 1,
                        REQUESTS, LIVENESS, READINESS, Optional.empty(), network, Optional.empty());
        try (RunningDeployment deployment = runtime.start(spec, stage -> {})) {
            long firstSandbox = deployment.instances().getFirst().pid();

            assertThat(deployment.score(new ScoreRequest("POST", "/score", Map.of(), "crash".getBytes(StandardCharsets.UTF_8))))
                    .isInstanceOf(ScoreResult.Unavailable.class);

            PythonWorkerRuntimeTest.await(() -> deployment.restarts() >= 1 && deployment.instances().getFirst().state().equals("Ready"));
            long secondSandbox = deployment.instances().getFirst().pid();
            assertThat(secondSandbox).isNotEqualTo(firstSandbox);
            // (The kernel may hand the dead namespace's inode number to the new one, so compare with the host's.)
            assertThat(networkNamespace(secondSandbox)).isPresent().get()
                    .isNotEqualTo(networkNamespace(ProcessHandle.current().pid()).orElseThrow());
            assertThat(ProcessHandle.of(firstSandbox).filter(ProcessHandle::isAlive)).isEmpty();
            // The sandbox passes on its worker's exit code.
            assertThat(deployment.consoleLog(20)).contains("enclave: worker exited with code 1; restarting (restart #1)");
            assertThat(deployment.score(new ScoreRequest("POST", "/score", Map.of(), "x".getBytes(StandardCharsets.UTF_8))))
                    .isInstanceOfSatisfying(ScoreResult.Answered.class, answer -> assertThat(answer.status()).isEqualTo(200));
        }
    }

    @Test
    void aKilledSandboxTakesItsWorkerWithIt() throws Exception {
        Path resolvConf = Files.writeString(workDir.resolve("resolv.conf"), "nameserver " + DNS_IP + "\n");
        WorkerNetwork network = new WorkerNetwork.Isolated(resolvConf, List.of(), new WorkerNetwork.DnsForward(DNS_IP, dns.path()));
        try (RunningDeployment deployment = runtime.start(spec("", network), stage -> {})) {
            ProcessHandle sandbox = ProcessHandle.of(deployment.instances().getFirst().pid()).orElseThrow();
            ProcessHandle worker = sandbox.children().findFirst().orElseThrow();
            assertThat(worker.info().commandLine()).get().asString().contains("enclave_worker.py");

            // As if the sandbox crashed: SIGKILL, no chance to stop its child.
            sandbox.destroyForcibly();

            PythonWorkerRuntimeTest.await(() -> !worker.isAlive());
            PythonWorkerRuntimeTest.await(() -> deployment.restarts() >= 1 && deployment.instances().getFirst().state().equals("Ready"));
            assertThat(score(deployment).get("resolv_conf").asText()).isEqualTo("nameserver " + DNS_IP + "\n");
        }
    }

    @Test
    void anInitFailureInsideTheSandboxIsStillReportedAsOne() throws IOException {
        Path resolvConf = Files.writeString(workDir.resolve("resolv.conf"), "nameserver " + DNS_IP + "\n");
        WorkerNetwork network = new WorkerNetwork.Isolated(resolvConf, List.of(), new WorkerNetwork.DnsForward(DNS_IP, dns.path()));
        WorkerSpec spec = new WorkerSpec("init-raises", workDir, resource("init_raises"), "score.py", resource("models/linear"),
                        Map.of(), 1, REQUESTS, LIVENESS, READINESS, Optional.empty(), network, Optional.empty());

        assertThatThrownBy(() -> runtime.start(spec, stage -> {}))
                .isInstanceOfSatisfying(EnclaveException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.ScoringScriptInitFailed);
                    assertThat(e.getMessage()).contains("failed to initialize", "RuntimeError: model file is corrupt");
                });
    }

    @Test
    void aSandboxThatCannotSetUpTheNetworkFailsTheStartWithItsReason() {
        Path missing = workDir.resolve("no-such-resolv.conf");
        WorkerNetwork network = new WorkerNetwork.Isolated(missing, List.of(), new WorkerNetwork.DnsForward(DNS_IP, dns.path()));

        assertThatThrownBy(() -> runtime.start(spec("", network), stage -> {}))
                .isInstanceOfSatisfying(EnclaveException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.ScoringScriptInitFailed);
                    assertThat(e.getMessage()).contains("exited with code 1 before it became ready",
                            "enclave-sandbox: cannot set up the worker's network: [Errno 2] cannot bind-mount " + missing
                                    + " over /etc/resolv.conf");
                });
    }

    @Test
    void aResolvedWorkerSeesThePlatformsResolvConfAndStillReachesTheHostNetwork() throws Exception {
        Path resolvConf = Files.writeString(workDir.resolve("resolv.conf"), "nameserver 127.0.0.53\nsearch enclave.test\n");
        assertThat(Files.readString(Path.of("/etc/resolv.conf"))).isNotEqualTo(Files.readString(resolvConf));

        try (RunningDeployment deployment = runtime.start(spec("", new WorkerNetwork.Resolved(resolvConf)), stage -> {})) {
            JsonNode seen = score(deployment);

            assertThat(seen.get("resolv_conf").asText()).isEqualTo("nameserver 127.0.0.53\nsearch enclave.test\n");
            assertThat(seen.get("host_tcp").asText()).isEqualTo("connected");
            assertThat(seen.get("java_tool_options").isNull()).isTrue();
        }
        // Only the worker's mount namespace changed.
        assertThat(Files.readString(Path.of("/etc/resolv.conf"))).isNotEqualTo(Files.readString(resolvConf));
    }

    @Test
    void onTheHostNetworkTheWorkerSeesTheHostsResolvConf() throws Exception {
        long started = System.nanoTime();
        try (RunningDeployment deployment = runtime.start(spec("", new WorkerNetwork.Host()), stage -> {})) {
            System.out.printf("host-network worker ready in %d ms%n", (System.nanoTime() - started) / 1_000_000);
            JsonNode seen = score(deployment);

            assertThat(seen.get("resolv_conf").asText()).isEqualTo(Files.readString(Path.of("/etc/resolv.conf")));
            assertThat(seen.get("host_tcp").asText()).isEqualTo("connected");
        }
    }

    @Test
    void stoppingTheDeploymentLeavesNoProcessAndNoNamespaceBehind() throws Exception {
        Path resolvConf = Files.writeString(workDir.resolve("resolv.conf"), "nameserver " + DNS_IP + "\n");
        WorkerNetwork network = new WorkerNetwork.Isolated(resolvConf, List.of(), new WorkerNetwork.DnsForward(DNS_IP, dns.path()));
        RunningDeployment deployment = runtime.start(spec("", network, 2), stage -> {});
        List<Long> pids = new ArrayList<>();
        List<String> namespaces = new ArrayList<>();
        for (InstanceStatus instance : deployment.instances()) {
            ProcessHandle sandbox = ProcessHandle.of(instance.pid()).orElseThrow();
            pids.add(sandbox.pid());
            sandbox.descendants().forEach(child -> pids.add(child.pid()));
            namespaces.add(networkNamespace(instance.pid()).orElseThrow());
        }
        assertThat(pids).hasSizeGreaterThanOrEqualTo(4);
        assertThat(namespaces).doesNotHaveDuplicates().doesNotContain(networkNamespace(ProcessHandle.current().pid()).orElseThrow());

        Instant closing = Instant.now();
        deployment.close();

        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty());
        // Any process, ours or a stray child of the scoring code, still in one of those namespaces. Processes started
        // after the close are skipped: the kernel may reuse a freed namespace's inode number for someone else's.
        List<String> inUse = ProcessHandle.allProcesses()
                .filter(process -> process.info().startInstant().map(started -> started.isBefore(closing)).orElse(true))
                .flatMap(process -> networkNamespace(process.pid()).map(namespace -> process.pid() + " " + namespace).stream())
                .filter(entry -> namespaces.contains(entry.substring(entry.indexOf(' ') + 1)))
                .toList();
        assertThat(inUse).isEmpty();
    }

    @Test
    void withoutNamespacesAnIsolatedDeploymentFailsAndSaysWhatToDo() {
        try (PythonWorkerRuntime without = new PythonWorkerRuntime(PYTHON, shared.resolve("without"), Path.of("/nonexistent/unshare"))) {
            WorkerNetwork network = new WorkerNetwork.Isolated(
                    shared.resolve("resolv.conf"), List.of(), new WorkerNetwork.DnsForward(DNS_IP, dns.path()));

            assertThatThrownBy(() -> without.start(spec("", network), stage -> {}))
                    .isInstanceOfSatisfying(EnclaveException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.NetworkIsolationUnavailable);
                        assertThat(e.getMessage())
                                .startsWith("Egress isolation (egress_public_network_access: disabled) needs Linux network namespaces")
                                .contains("/nonexistent/unshare does not exist")
                                .contains("Run the Enclave server as root");
                    });
            assertThat(workDir.resolve("logs/instance-0.log")).doesNotExist();
        }
    }

    private WorkerSpec spec(String checks, WorkerNetwork network) {
        return spec(checks, network, 1);
    }

    private WorkerSpec spec(String checks, WorkerNetwork network, int instances) {
        return new WorkerSpec(
                        "/subscriptions/test/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws"
                                + "/onlineEndpoints/ep/deployments/sandboxed",
                        workDir,
                        resource("network_probe"),
                        "score.py",
                        resource("models/linear"),
                        Map.of("CHECKS", checks, "PRIVATE_NAME", PRIVATE_NAME, "HOST_PORT", String.valueOf(hostServer.getLocalPort())),
                        instances,
                        REQUESTS,
                        LIVENESS,
                        READINESS,
                        Optional.empty(),
                        network,
                        Optional.empty());
    }

    private static JsonNode score(RunningDeployment deployment) throws IOException {
        ScoreResult result = deployment.score(
                new ScoreRequest("POST", "/score", Map.of("Content-Type", "text/plain"), "x".getBytes(StandardCharsets.UTF_8)));
        assertThat(result).isInstanceOf(ScoreResult.Answered.class);
        ScoreResult.Answered answered = (ScoreResult.Answered) result;
        assertThat(answered.status()).isEqualTo(200);
        return JSON.readTree(answered.body());
    }

    private static Optional<String> networkNamespace(long pid) {
        try {
            return Optional.of(Files.readSymbolicLink(Path.of("/proc", String.valueOf(pid), "ns", "net")).toString());
        } catch (IOException e) {
            return Optional.empty(); // the process exited meanwhile
        }
    }

    private static Path resource(String name) {
        try {
            return Path.of(SandboxedWorkerTest.class.getResource("/runtime/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A DNS server on a Unix socket with DNS-over-TCP framing, as the platform serves one to each isolated deployment. */
    private static final class UnixDnsServer implements AutoCloseable {
        private final Path path;
        private final ServerSocketChannel server;
        private final List<String> questions = new CopyOnWriteArrayList<>();

        UnixDnsServer(Path path, String name, String ip) throws IOException {
            this.path = path;
            this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
            Name served = Name.fromString(name + ".");
            InetAddress address = InetAddress.getByName(ip);
            Thread.ofVirtual().start(() -> {
                while (server.isOpen()) {
                    try {
                        SocketChannel connection = server.accept();
                        Thread.ofVirtual().start(() -> answer(connection, served, address));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        Path path() {
            return path;
        }

        List<String> questions() {
            return List.copyOf(questions);
        }

        private void answer(SocketChannel connection, Name served, InetAddress address) {
            try (connection) {
                while (true) {
                    ByteBuffer length = ByteBuffer.allocate(2);
                    if (!readFully(connection, length)) {
                        return;
                    }
                    ByteBuffer wire = ByteBuffer.allocate(length.flip().getShort() & 0xffff);
                    if (!readFully(connection, wire)) {
                        return;
                    }
                    Message query = new Message(wire.array());
                    Record question = query.getQuestion();
                    questions.add(question.getName() + " " + Type.string(question.getType()));
                    Message response = new Message(query.getHeader().getID());
                    response.getHeader().setFlag(Flags.QR);
                    response.getHeader().setFlag(Flags.AA);
                    if (query.getHeader().getFlag(Flags.RD)) {
                        response.getHeader().setFlag(Flags.RD);
                    }
                    response.addRecord(question, Section.QUESTION);
                    if (!question.getName().equals(served)) {
                        response.getHeader().setRcode(Rcode.NXDOMAIN);
                    } else if (question.getType() == Type.A) {
                        response.addRecord(new ARecord(served, DClass.IN, 60, address), Section.ANSWER);
                    }
                    byte[] answer = response.toWire();
                    ByteBuffer framed = ByteBuffer.allocate(2 + answer.length).putShort((short) answer.length).put(answer).flip();
                    while (framed.hasRemaining()) {
                        connection.write(framed);
                    }
                }
            } catch (IOException e) {
                // the sandbox closed the connection
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            Files.deleteIfExists(path);
        }
    }

    /** An HTTP/1.1 server on a Unix socket (HTTPS when given a key store) that answers with its label, path and Host. */
    private static final class UnixHttpServer implements AutoCloseable {
        private final Path path;
        private final Server server = new Server();

        UnixHttpServer(Path path, String label, Optional<KeyStore> tls) throws Exception {
            this.path = path;
            HttpConnectionFactory http = new HttpConnectionFactory();
            UnixDomainServerConnector connector = tls.map(keyStore -> {
                        SslContextFactory.Server ssl = new SslContextFactory.Server();
                        ssl.setKeyStore(keyStore);
                        ssl.setKeyStorePassword(TLS_PASSWORD);
                        return new UnixDomainServerConnector(server, new SslConnectionFactory(ssl, http.getProtocol()), http);
                    })
                    .orElseGet(() -> new UnixDomainServerConnector(server, http));
            connector.setUnixDomainPath(path);
            server.addConnector(connector);
            server.setHandler(new Handler.Abstract() {
                @Override
                public boolean handle(Request request, Response response, Callback callback) {
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
                    String answer = label + ": " + request.getMethod() + " " + request.getHttpURI().getPathQuery() + " Host: "
                            + request.getHeaders().get(HttpHeader.HOST);
                    Content.Sink.write(response, true, answer, callback);
                    return true;
                }
            });
            server.start();
        }

        Path path() {
            return path;
        }

        @Override
        public void close() throws Exception {
            server.stop();
            Files.deleteIfExists(path);
        }
    }

    /** A self-signed certificate for {@code name} in a PKCS12 key store, and the same certificate as PEM for clients. */
    private static KeyStore selfSignedKeyStore(String name, Path pem) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        X500Name subject = new X500Name("CN=" + name);
        Instant now = Instant.now();
        X509CertificateHolder holder = new JcaX509v3CertificateBuilder(subject, BigInteger.ONE, Date.from(now.minusSeconds(60)),
                        Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, name)))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
        X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(holder);
        try (JcaPEMWriter writer = new JcaPEMWriter(Files.newBufferedWriter(pem))) {
            writer.writeObject(certificate);
        }
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        keyStore.load(null, null);
        keyStore.setKeyEntry("server", keys.getPrivate(), TLS_PASSWORD.toCharArray(), new Certificate[] {certificate});
        return keyStore;
    }

    private static boolean readFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                return false;
            }
        }
        return true;
    }
}
