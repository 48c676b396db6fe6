package enclave.core.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.Futures;
import enclave.core.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Small helpers over Jetty's core request/response API, shared by every REST surface. Handlers run on
 * virtual threads, so blocking reads here are fine.
 */
public final class Http {
    public static final String JSON = "application/json; charset=utf-8";

    private Http() {}

    /** Reads the whole body, refusing more than {@code limit} bytes with 413. */
    public static byte[] readBody(Request request, long limit) {
        long declared = request.getLength();
        if (declared > limit) {
            throw tooLarge(limit);
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] body = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
            if (body.length > limit) {
                throw tooLarge(limit);
            }
            return body;
        } catch (IOException e) {
            throw new EnclaveException(ErrorCode.BadRequest, "could not read the request body: " + e.getMessage());
        }
    }

    /**
     * {@link #readBody} without blocking: the future has the body once it has all arrived, or fails with the same
     * {@link EnclaveException}s (too large, unreadable). A body that came with the headers completes it at once.
     */
    public static CompletableFuture<byte[]> readBodyAsync(Request request, long limit) {
        long declared = request.getLength();
        if (declared > limit) {
            return CompletableFuture.failedFuture(tooLarge(limit));
        }
        int max = (int) Math.min(limit, Integer.MAX_VALUE - 8);
        return Content.Source.asByteArrayAsync(request, max).handle((body, failure) -> {
            if (failure == null) {
                return body;
            }
            Throwable cause = Futures.cause(failure);
            // Jetty refuses content beyond maxSize with an IllegalArgumentException.
            throw cause instanceof IllegalArgumentException ? tooLarge(limit)
                    : new EnclaveException(ErrorCode.BadRequest, "could not read the request body: " + cause.getMessage());
        });
    }

    /** Parses a JSON request body into {@code type}, with a 400 naming the problem when it does not fit. */
    public static <T> T readJson(Request request, Class<T> type) {
        byte[] body = readBody(request, 16 * 1024 * 1024);
        if (body.length == 0) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "the request needs a JSON body");
        }
        try {
            return Json.MAPPER.readValue(body, type);
        } catch (IOException e) {
            String detail = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "the request body is not valid: " + detail);
        }
    }

    public static void sendJson(Response response, Callback callback, int status, Object body) {
        byte[] bytes;
        try {
            bytes = body instanceof byte[] raw ? raw : Json.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            callback.failed(e);
            return;
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    public static void sendEmpty(Response response, Callback callback, int status) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
        response.write(true, null, callback);
    }

    /** The token of an {@code Authorization: Bearer <token>} header (scheme case-insensitive), if the request has one. */
    public static Optional<String> bearer(Request request) {
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String token = header.substring(7).trim();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    /** Bodies up to this size are read and dropped before a refusal, so the connection stays usable. */
    private static final long DRAIN_LIMIT = 1024 * 1024;

    /**
     * Reads and drops what is left of the request body before an answer that did not need it (a refusal), so the client can
     * keep using the connection: otherwise the server closes it mid-stream and a client reusing it sees a reset. A body over
     * {@value #DRAIN_LIMIT} bytes is not read; the answer then says {@code Connection: close}. Blocks: call on a virtual thread.
     */
    public static void drainBody(Request request, Response response) {
        long declared = request.getLength();
        if (declared > DRAIN_LIMIT) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            return;
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            long skipped = in.skip(DRAIN_LIMIT);
            if (skipped >= DRAIN_LIMIT && in.read() >= 0) {
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
        } catch (IOException | RuntimeException e) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
    }

    /**
     * {@link #drainBody} without blocking, then {@code then} (on whichever thread the last of the body arrived): a
     * response sent before the body was read could not be followed by another request on the same connection.
     */
    public static void drainBodyAsync(Request request, Response response, Runnable then) {
        if (request.getLength() > DRAIN_LIMIT) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            then.run();
            return;
        }
        drainAsync(request, response, DRAIN_LIMIT, then);
    }

    private static void drainAsync(Request request, Response response, long allowance, Runnable then) {
        long left = allowance;
        while (true) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                long remaining = left;
                request.demand(() -> drainAsync(request, response, remaining, then));
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
                then.run();
                return;
            }
            left -= chunk.remaining();
            boolean last = chunk.isLast();
            chunk.release();
            if (last) {
                then.run();
                return;
            }
            if (left < 0) {
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
                then.run();
                return;
            }
        }
    }

    public static void sendError(Response response, Callback callback, EnclaveException error) {
        sendJson(response, callback, error.status(), errorBody(error.code().name(), error.getMessage()));
    }

    /** {@code {"error":{"code","message"}}}, the ARM error shape. */
    public static byte[] errorBody(String code, String message) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("code", code);
        error.put("message", message);
        try {
            return Json.MAPPER.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            return ("{\"error\":{\"code\":\"" + code + "\"}}").getBytes(StandardCharsets.UTF_8);
        }
    }

    public static JsonNode tree(Object value) {
        return Json.MAPPER.valueToTree(value);
    }

    private static EnclaveException tooLarge(long limit) {
        return new EnclaveException(ErrorCode.PayloadTooLarge, "the request body is larger than the limit of " + limit + " bytes");
    }
}
