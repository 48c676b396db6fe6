package enclave.monitor.engine;

import enclave.core.FileTrees;
import enclave.core.Hashes;
import enclave.core.Json;
import enclave.monitor.account.MonitorAccount;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one real Prometheus per monitor account: its own directory {@code <home>/<accountId>/} (config, scrape credential,
 * TSDB data, log), a generated config that scrapes the platform's per-account metrics endpoint every 5 s over HTTPS with a
 * bearer credential only this account's Prometheus holds, and a web listener on a free 127.0.0.1 port that only the
 * gateway's query front door talks to. A Prometheus that exits is started again (with backoff) until the account is
 * stopped.
 */
public final class PrometheusEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PrometheusEngine.class);
    public static final String INSTALL_HINT = "Prometheus is not installed: run scripts/install-deps (or apt-get install prometheus), then restart Enclave";
    public static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(5);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Optional<Path> binary;
    private final Path home;
    private final String scrapeTarget;
    private final String scrapePathPrefix;
    private final Path caFile;
    private final Map<String, Instance> instances = new ConcurrentHashMap<>();
    // SHA-256 of each account's scrape credential, by account GUID; made fresh at every start of the platform.
    private final Map<String, byte[]> credentialHashes = new ConcurrentHashMap<>();

    /**
     * @param binary the prometheus executable, empty when it is not installed (queries then answer 503 with {@link #INSTALL_HINT})
     * @param home where account directories go ({@code $ENCLAVE_HOME/monitor})
     * @param scrapeTarget {@code host:port} of the management listener
     * @param scrapePathPrefix the path an account's series are served under; the account GUID is appended
     * @param caFile the platform CA, so Prometheus verifies the management listener's certificate
     */
    public PrometheusEngine(Optional<Path> binary, Path home, String scrapeTarget, String scrapePathPrefix, Path caFile) {
        this.binary = binary;
        this.home = home;
        this.scrapeTarget = scrapeTarget;
        this.scrapePathPrefix = scrapePathPrefix;
        this.caFile = caFile;
    }

    /** The {@code prometheus} on {@code PATH} (or {@code /usr/bin/prometheus}), if any. */
    public static Optional<Path> findBinary() {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        return Stream.concat(Stream.of(path.split(":")), Stream.of("/usr/bin"))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "prometheus"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    public boolean installed() {
        return binary.isPresent();
    }

    /** Starts the account's Prometheus unless it runs already; a no-op without the binary. */
    public void ensureRunning(MonitorAccount account) {
        if (binary.isEmpty()) {
            return;
        }
        instances.computeIfAbsent(account.accountId(), id -> {
            Instance instance = new Instance(account.accountId(), account.name());
            instance.start();
            return instance;
        });
    }

    /** Stops the account's Prometheus and deletes its directory (data included); for account deletes. */
    public void remove(MonitorAccount account) {
        Instance instance = instances.remove(account.accountId());
        if (instance != null) {
            instance.stop();
        }
        credentialHashes.remove(account.accountId());
        FileTrees.deleteQuietly(home.resolve(account.accountId()));
    }

    /** Where the account's Prometheus answers HTTP, e.g. {@code http://127.0.0.1:40123}; empty when it is not running. */
    public Optional<URI> queryBase(MonitorAccount account) {
        return Optional.ofNullable(instances.get(account.accountId())).flatMap(Instance::base);
    }

    /** Whether {@code bearer} is the scrape credential of the account with this GUID (compared in constant time). */
    public boolean scrapeCredentialMatches(String accountId, String bearer) {
        byte[] expected = credentialHashes.get(accountId);
        return expected != null && MessageDigest.isEqual(expected, Hashes.sha256(bearer));
    }

    /** The pid of the account's running Prometheus (tests kill it to see it come back). */
    public Optional<Long> pid(MonitorAccount account) {
        return Optional.ofNullable(instances.get(account.accountId())).flatMap(Instance::pid);
    }

    @Override
    public void close() {
        instances.values().forEach(Instance::stop);
        instances.clear();
    }

    /** One account's Prometheus and the thread that keeps it running. */
    private final class Instance {
        private final String accountId;
        private final String accountName;
        private final Path dir;
        private volatile Process process;
        private volatile URI base;
        private volatile boolean stopped;
        private Thread supervisor;

        Instance(String accountId, String accountName) {
            this.accountId = accountId;
            this.accountName = accountName;
            this.dir = home.resolve(accountId);
        }

        void start() {
            prepare();
            supervisor = Thread.ofPlatform().daemon().name("prometheus-" + accountName).start(this::supervise);
        }

        Optional<URI> base() {
            Process current = process;
            return current != null && current.isAlive() ? Optional.ofNullable(base) : Optional.empty();
        }

        Optional<Long> pid() {
            Process current = process;
            return current != null && current.isAlive() ? Optional.of(current.pid()) : Optional.empty();
        }

        private void prepare() {
            try {
                Files.createDirectories(dir.resolve("data"));
                killLeftover();
                String credential = HexFormat.of().formatHex(randomBytes(32));
                Path credentialFile = dir.resolve("scrape-credential");
                Files.deleteIfExists(credentialFile);
                Files.createFile(credentialFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(credentialFile, credential);
                credentialHashes.put(accountId, Hashes.sha256(credential));
                Files.writeString(dir.resolve("prometheus.yml"), config(credentialFile));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot prepare " + dir + " for the Prometheus of monitor account " + accountName, e);
            }
        }

        // JSON is YAML: Jackson writes the config, so paths with odd characters are quoted correctly.
        private String config(Path credentialFile) throws IOException {
            Map<String, Object> scrape = new LinkedHashMap<>();
            scrape.put("job_name", "enclave");
            scrape.put("honor_labels", true);
            scrape.put("scheme", "https");
            scrape.put("metrics_path", scrapePathPrefix + accountId);
            scrape.put("authorization", Map.of("type", "Bearer", "credentials_file", credentialFile.toAbsolutePath().toString()));
            scrape.put("tls_config", Map.of("ca_file", caFile.toAbsolutePath().toString()));
            scrape.put("static_configs", List.of(Map.of("targets", List.of(scrapeTarget))));
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("global", Map.of("scrape_interval", SCRAPE_INTERVAL.toSeconds() + "s", "evaluation_interval", SCRAPE_INTERVAL.toSeconds() + "s"));
            config.put("scrape_configs", List.of(scrape));
            return Json.PRETTY.writeValueAsString(config);
        }

        private void supervise() {
            long backoffMillis = 500;
            while (!stopped) {
                long startedAt = System.nanoTime();
                try {
                    int port = freePort();
                    ProcessBuilder builder = new ProcessBuilder(binary.orElseThrow().toString(),
                            "--config.file=" + dir.resolve("prometheus.yml"),
                            "--storage.tsdb.path=" + dir.resolve("data"),
                            "--web.listen-address=127.0.0.1:" + port,
                            "--storage.tsdb.retention.time=15d",
                            "--log.level=warn")
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("prometheus.log").toFile()));
                    synchronized (this) {
                        if (stopped) {
                            return;
                        }
                        base = URI.create("http://127.0.0.1:" + port);
                        process = builder.start();
                    }
                    Files.writeString(dir.resolve("prometheus.pid"), Long.toString(process.pid()));
                    log.info("monitor account {}: prometheus pid {} on 127.0.0.1:{}", accountName, process.pid(), port);
                    int exit = process.waitFor();
                    if (stopped) {
                        return;
                    }
                    log.warn("monitor account {}: prometheus exited with {}; starting it again (see {})", accountName, exit, dir.resolve("prometheus.log"));
                } catch (IOException e) {
                    log.error("monitor account {}: cannot start prometheus", accountName, e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                // A Prometheus that ran a while gets restarted at once; one that keeps failing is retried less often.
                backoffMillis = System.nanoTime() - startedAt > TimeUnit.SECONDS.toNanos(30) ? 500 : Math.min(backoffMillis * 2, 30_000);
                try {
                    Thread.sleep(backoffMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        void stop() {
            Process current;
            synchronized (this) {
                stopped = true;
                current = process;
            }
            if (supervisor != null) {
                supervisor.interrupt();
            }
            if (current != null) {
                current.destroy();
                try {
                    if (!current.waitFor(10, TimeUnit.SECONDS)) {
                        current.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            try {
                Files.deleteIfExists(dir.resolve("prometheus.pid"));
            } catch (IOException e) {
                log.warn("could not remove {}: {}", dir.resolve("prometheus.pid"), e.toString());
            }
        }

        // A platform killed with -9 leaves its Prometheus running on this directory; stop it before starting a new one.
        private void killLeftover() throws IOException {
            Path pidFile = dir.resolve("prometheus.pid");
            if (!Files.exists(pidFile)) {
                return;
            }
            try {
                long pid = Long.parseLong(Files.readString(pidFile).trim());
                ProcessHandle.of(pid)
                        .filter(p -> p.info().commandLine().map(c -> c.contains(dir.toString())).orElse(false))
                        .ifPresent(p -> {
                            log.info("monitor account {}: stopping leftover prometheus pid {}", accountName, pid);
                            p.destroy();
                            p.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> {
                                p.destroyForcibly();
                                return p;
                            }).join();
                        });
            } catch (NumberFormatException e) {
                log.warn("ignoring unreadable {}", pidFile);
            }
            Files.deleteIfExists(pidFile);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
