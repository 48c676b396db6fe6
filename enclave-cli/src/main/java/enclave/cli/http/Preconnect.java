package enclave.cli.http;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Opens the CLI's TLS connection to the server on a second thread while the main thread is still building the
 * command tree and reading the command's files (issue 6). A cold JVM spends about 150 ms on its first TLS handshake
 * (key exchange, certificate checks, all interpreted); before this, every command waited for it after ~200 ms of
 * picocli and YAML, on one core while the other idled. The warm-up asks {@code GET /enclave/info}, which needs no
 * credentials, so nothing about the signed-in account is decided off the main thread; the connection it leaves in
 * the client's pool is the one the command's first request uses.
 *
 * <p>A command that never talks to the server ({@code -h}, {@code configure}) wasted one request: the thread is a
 * daemon and {@link HttpTransport#closeAll} stops its client at exit. Any failure of the warm-up is dropped: the
 * command's own request meets the same failure and reports it.
 */
public final class Preconnect {
    /** How long a command waits for the warm-up before it connects on its own. */
    private static final Duration WARM_UP_WAIT = Duration.ofSeconds(6);
    private static final Map<Path, CompletableFuture<Connected>> STARTED = new ConcurrentHashMap<>();

    private record Connected(String managementUrl, String caFile, HttpClient client) {}

    private Preconnect() {}

    /** Starts connecting to the server of {@code home} when its {@code server.json} says one is running. */
    public static void start(Path home) {
        if (!Files.exists(ServerInfo.file(home))) {
            return;
        }
        CompletableFuture<Connected> connected = new CompletableFuture<>();
        if (STARTED.putIfAbsent(home, connected) != null) {
            return;
        }
        // server.json is read on this thread too: its JSON mapper takes ~70 ms to build in a cold JVM.
        Thread.ofPlatform().daemon().name("enclave-preconnect").start(() -> {
            try {
                connected.complete(ServerInfo.read(home).map(info -> connect(home, info)).orElse(null));
            } catch (RuntimeException e) {
                connected.complete(null);
            }
        });
    }

    private static Connected connect(Path home, ServerInfo info) {
        HttpClient client = HttpTransport.client(Tls.trusting(info.caPath(home)));
        // Its answer does not matter: a failure is met again, and reported, by the command's own first request.
        ServerConnection.answers(new HttpTransport(client, line -> {}), info);
        return new Connected(info.managementUrl(), info.caFile(), client);
    }

    /**
     * The client whose connection {@link #start} opened to this server, once the warm-up has ended; empty when none
     * was started for this home or it was for another server (a restart since, with a new port or CA).
     */
    static Optional<HttpClient> take(Path home, ServerInfo info) {
        CompletableFuture<Connected> started = STARTED.remove(home);
        if (started == null) {
            return Optional.empty();
        }
        try {
            Connected connected = started.get(WARM_UP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (connected == null || !Objects.equals(connected.managementUrl(), info.managementUrl())
                    || !Objects.equals(connected.caFile(), info.caFile())) {
                return Optional.empty();
            }
            return Optional.of(connected.client());
        } catch (ExecutionException | TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
