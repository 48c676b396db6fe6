package enclave.serving.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Transport;

/** HTTP/1.1 to one worker's Unix domain socket, over the runtime's shared, pooling client. */
final class WorkerClient {
    private static final int MAX_RESPONSE_BYTES = 100 * 1024 * 1024;
    private static final int MAX_PROBE_RESPONSE_BYTES = 64 * 1024;

    // Framing and connection headers belong to each hop; passing them on would corrupt the exchange.
    private static final Set<String> HOP_BY_HOP = Set.of(
            "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade", "host", "content-length", "expect");
    private static final Set<String> NOT_RETURNED = Set.of("server", "date");

    private final HttpClient http;
    private final Transport transport;

    WorkerClient(HttpClient http, Path socket) {
        this.http = http;
        // Jetty pools connections per origin, and the transport is part of the origin: one pool per socket.
        this.transport = new Transport.TCPUnix(socket);
    }

    /** Forwards one scoring request; never throws for the worker's failure. */
    ScoreResult forward(ScoreRequest request, Duration timeout, int instance) {
        String path = request.path().startsWith("/") ? request.path() : "/" + request.path();
        Request upstream;
        try {
            upstream = http.newRequest("http://localhost" + path)
                    .transport(transport)
                    .method(request.method())
                    .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .headers(headers -> request.headers().forEach((name, value) -> {
                        if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                            headers.put(name, value);
                        }
                    }));
        } catch (IllegalArgumentException e) {
            return new ScoreResult.Unavailable("cannot forward to path '" + request.path() + "': " + e.getMessage());
        }
        if (request.body().length > 0) {
            upstream.body(new BytesRequestContent(request.body()));
        }
        long started = System.nanoTime();
        CompletableFuture<ContentResponse> response = new CompletableResponseListener(upstream, MAX_RESPONSE_BYTES).send();
        try {
            ContentResponse answer = response.get();
            return new ScoreResult.Answered(answer.getStatus(), headersOf(answer), answer.getContent(), instance);
        } catch (InterruptedException e) {
            upstream.abort(e);
            Thread.currentThread().interrupt();
            return new ScoreResult.Unavailable("interrupted while waiting for instance " + instance);
        } catch (ExecutionException e) {
            // Jetty aborts the exchange (and closes its connection) when the total timeout elapses.
            if (e.getCause() instanceof TimeoutException) {
                return new ScoreResult.TimedOut(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            }
            return new ScoreResult.Unavailable("instance " + instance + " failed to answer: " + describe(e.getCause()));
        }
    }

    /** Whether the worker answers {@code GET path} with 200 within {@code timeout}. */
    boolean probe(String path, Duration timeout) {
        Request probe = http.newRequest("http://localhost" + path)
                .transport(transport)
                .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            return new CompletableResponseListener(probe, MAX_PROBE_RESPONSE_BYTES).send().get().getStatus() == 200;
        } catch (InterruptedException e) {
            probe.abort(e);
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return false;
        }
    }

    private static Map<String, String> headersOf(ContentResponse response) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (HttpField field : response.getHeaders()) {
            String lower = field.getName().toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(lower) && !NOT_RETURNED.contains(lower)) {
                headers.merge(field.getName(), field.getValue(), (first, second) -> first + ", " + second);
            }
        }
        return Collections.unmodifiableMap(headers);
    }

    private static String describe(Throwable failure) {
        String message = failure.getMessage();
        return failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
