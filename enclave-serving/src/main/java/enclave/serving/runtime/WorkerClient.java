package enclave.serving.runtime;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Enclave's frames to one worker's Unix domain socket, over pooled persistent connections, without blocking a thread.
 *
 * <p>A frame is two big-endian 32-bit lengths (header, body), a UTF-8 header of lines ({@code <method> <path>}, then
 * {@code <name>: <value>}), and the body; the answer is framed the same way, its first header line being the status.
 * The worker (enclave_worker.py, {@code parse_frame}) also speaks HTTP/1.1 for everybody else; frames are for this hot
 * path: reading one costs the Python worker a fraction of an HTTP request.
 *
 * <p>The caller writes the frame itself (one gathering write, which a Unix socket takes whole unless the body is
 * large); the answer is read by a {@link WorkerIo} loop, which completes the future on its own thread. So a scoring
 * request holds no thread while the model computes, and waking the gateway costs one thread switch, not three.
 *
 * <p>One request per connection at a time; idle connections are reused most-recently-used first. When the instance
 * starts a new process, {@link #reset()} retires every connection to the old one. A request that outlives its
 * timeout has its connection closed under it, which the worker sees as the caller having given up.
 */
final class WorkerClient {
    static final int MAX_RESPONSE_BYTES = 100 * 1024 * 1024;
    static final int MAX_HEAD_BYTES = 64 * 1024;

    // Framing and connection headers belong to each hop; passing them on would corrupt the exchange.
    private static final Set<String> HOP_BY_HOP = Set.of(
            "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade", "host", "content-length", "expect");

    private final Path socket;
    private final ConcurrentLinkedDeque<WorkerIo.Connection> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger generation = new AtomicInteger();

    WorkerClient(Path socket) {
        this.socket = socket;
    }

    /** Forwards one scoring request; the future never fails: every outcome is a {@link ScoreResult}. */
    CompletableFuture<ScoreResult> forward(ScoreRequest request, Duration timeout, int instance) {
        String path = request.path().startsWith("/") ? request.path() : "/" + request.path();
        if (path.indexOf('\n') >= 0 || path.indexOf('\r') >= 0 || path.indexOf(' ') >= 0) {
            return CompletableFuture.completedFuture(
                    new ScoreResult.Unavailable("cannot forward to path '" + request.path() + "': it contains a space or line break"));
        }
        StringBuilder head = new StringBuilder(128).append(request.method()).append(' ').append(path).append('\n');
        request.headers().forEach((name, value) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
                head.append(name).append(": ").append(value).append('\n');
            }
        });
        long started = System.nanoTime();
        return exchange(head.toString(), request.body(), timeout).thenApply(outcome -> switch (outcome) {
            case Outcome.Answered answered -> new ScoreResult.Answered(answered.status(), answered.headers(), answered.body(), instance);
            case Outcome.TimedOut timedOut -> new ScoreResult.TimedOut(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            case Outcome.Failed failed -> new ScoreResult.Unavailable("instance " + instance + " failed to answer: " + failed.reason());
        });
    }

    /** Whether the worker answers {@code GET path} with 200 within {@code timeout}. Blocking; for the supervisor. */
    boolean probe(String path, Duration timeout) {
        try {
            return exchange("GET " + path + "\n", new byte[0], timeout).get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS)
                    instanceof Outcome.Answered answered && answered.status() == 200;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /** The instance started a new process: connections to the old one are retired. */
    void reset() {
        generation.incrementAndGet();
        for (WorkerIo.Connection connection; (connection = idle.pollFirst()) != null; ) {
            connection.close();
        }
    }

    /** How one exchange ended. */
    sealed interface Outcome {
        record Answered(int status, Map<String, String> headers, byte[] body) implements Outcome {}

        record TimedOut() implements Outcome {}

        record Failed(String reason) implements Outcome {}
    }

    /** One request on one connection: whoever claims it first (the answer, a failure or the deadline) ends it. */
    final class Exchange {
        final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        private final AtomicBoolean claimed = new AtomicBoolean();
        private final WorkerIo.Connection connection;

        Exchange(WorkerIo.Connection connection) {
            this.connection = connection;
        }

        /** The worker's answer arrived whole: the connection goes back to the pool before anyone continues. */
        void answered(String head, byte[] body) {
            if (!claimed.compareAndSet(false, true)) {
                return;
            }
            Outcome result;
            try {
                result = parse(head, body);
            } catch (IOException e) {
                connection.close();
                outcome.complete(new Outcome.Failed(e.getMessage()));
                return;
            }
            giveBack(connection);
            outcome.complete(result);
        }

        void failed(String reason) {
            if (claimed.compareAndSet(false, true)) {
                connection.close();
                outcome.complete(new Outcome.Failed(reason));
            }
        }

        void expired() {
            if (claimed.compareAndSet(false, true)) {
                connection.close();
                outcome.complete(new Outcome.TimedOut());
            }
        }
    }

    private CompletableFuture<Outcome> exchange(String head, byte[] body, Duration timeout) {
        WorkerIo.Connection connection;
        try {
            connection = borrow();
        } catch (IOException e) {
            return CompletableFuture.completedFuture(new Outcome.Failed(describe(e)));
        }
        Exchange exchange = new Exchange(connection);
        WorkerIo.expireUnlessDone(exchange.outcome, timeout, exchange::expired);
        connection.send(exchange, head.getBytes(StandardCharsets.UTF_8), body);
        return exchange.outcome;
    }

    private WorkerIo.Connection borrow() throws IOException {
        int current = generation.get();
        for (WorkerIo.Connection connection; (connection = idle.pollFirst()) != null; ) {
            if (connection.generation() == current && connection.isOpen()) {
                return connection;
            }
            connection.close();
        }
        return WorkerIo.open(UnixDomainSocketAddress.of(socket), current);
    }

    private void giveBack(WorkerIo.Connection connection) {
        if (!connection.isOpen() || connection.generation() != generation.get()) {
            connection.close();
            return;
        }
        idle.offerFirst(connection);
        if (connection.generation() != generation.get() && idle.remove(connection)) {
            connection.close(); // reset() ran meanwhile
        }
    }

    private static Outcome.Answered parse(String head, byte[] body) throws IOException {
        String[] lines = head.split("\n");
        int status;
        try {
            status = Integer.parseInt(lines[0].trim());
        } catch (NumberFormatException e) {
            throw new IOException("the worker sent a malformed status line '" + lines[0] + "'");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                String name = lines[i].substring(0, colon).trim();
                if (name.equalsIgnoreCase("content-type")) {
                    name = "Content-Type";
                }
                headers.merge(name, lines[i].substring(colon + 1).trim(), (first, second) -> first + ", " + second);
            }
        }
        return new Outcome.Answered(status, Collections.unmodifiableMap(headers), body);
    }

    static String describe(IOException failure) {
        String message = failure.getMessage();
        return failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** A frame's bytes for one gathering write: the two lengths with the header, then the body. */
    static ByteBuffer[] frame(byte[] head, byte[] body) {
        ByteBuffer lengths = ByteBuffer.allocate(8 + head.length).putInt(head.length).putInt(body.length).put(head).flip();
        return new ByteBuffer[] {lengths, ByteBuffer.wrap(body)};
    }
}
