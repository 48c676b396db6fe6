package enclave.serving.trafficlog;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import enclave.core.Hashes;
import enclave.core.Json;
import enclave.core.ResourceId;
import enclave.serving.runtime.LogFiles;
import enclave.store.StoreException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The traffic log: one JSON-lines file per endpoint under {@code directory}. The gateway only enqueues (no I/O on the
 * request path); one writer thread drains the queue in batches and appends each batch with one write per endpoint.
 * A full queue drops records and counts them rather than slowing scoring down. Each endpoint's file is kept under
 * {@link #MAX_FILE_BYTES} ({@link LogFiles}: over it, the file becomes the previous one and a new one starts), so an
 * endpoint's traffic log takes at most twice that on disk: under load, a record every 100 µs would otherwise fill
 * a disk at 20 GB a day.
 *
 * <p>Files, not the database: a record is written once and read only as "the newest N", which an append-only file does
 * for a few microseconds a record, where an H2 insert (row, index, page rewrite per commit) cost more CPU than the rest
 * of the gateway under load (issue 6).
 */
public final class TrafficLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TrafficLog.class);
    /** Per endpoint: about 110,000 records of the sample's size in the newest file, as many again in the previous one. */
    public static final long MAX_FILE_BYTES = 64L * 1024 * 1024;
    private static final int CAPACITY = 65_536;
    private static final int BATCH = 512;
    // Under load, gather records for a moment before writing: one append per endpoint and batch, not per record.
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private record Entry(String endpointKey, TrafficRecord record) {}

    private final Path directory;
    private final long maxFileBytes;
    private final Object files = new Object();
    private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong enqueued = new AtomicLong();
    private final Thread writer;
    /** The writer thread's buffer for one endpoint's lines of a batch, kept from batch to batch. */
    private final ByteArrayOutputStream batchBytes = new ByteArrayOutputStream(64 * 1024);
    private volatile boolean running = true;

    public TrafficLog(Path directory) {
        this(directory, MAX_FILE_BYTES);
    }

    /** @param maxFileBytes the size over which an endpoint's file starts again, its records kept as the previous file */
    public TrafficLog(Path directory, long maxFileBytes) {
        this.directory = directory;
        this.maxFileBytes = maxFileBytes;
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the traffic log directory " + directory, e);
        }
        this.writer = Thread.ofPlatform().name("traffic-log-writer").daemon().start(this::drain);
    }

    public void record(ResourceId endpoint, TrafficRecord record) {
        record(endpoint.key(), record);
    }

    /** @param endpointKey the endpoint's {@link ResourceId#key()}, for callers that keep it at hand */
    public void record(String endpointKey, TrafficRecord record) {
        if (queue.offer(new Entry(endpointKey, record))) {
            enqueued.incrementAndGet();
        } else {
            dropped.incrementAndGet();
        }
    }

    /** The newest {@code top} records of an endpoint, oldest first. Waits for records already enqueued to be written. */
    public List<TrafficRecord> recent(ResourceId endpoint, int top) {
        flush();
        List<String> lines;
        synchronized (files) {
            lines = LogFiles.lastLines(fileOf(endpoint.key()), top);
        }
        List<TrafficRecord> records = new ArrayList<>(lines.size());
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            try {
                records.add(Json.MAPPER.readValue(line, TrafficRecord.class));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                // A line cut short by a crash mid-write; the records around it are whole.
                log.warn("traffic log of {}: skipping an unreadable line", endpoint, e);
            }
        }
        return records;
    }

    public void deleteEndpoint(ResourceId endpoint) {
        flush();
        synchronized (files) {
            try {
                LogFiles.delete(fileOf(endpoint.key()));
            } catch (IOException e) {
                throw new StoreException("could not delete the traffic log of " + endpoint, e);
            }
        }
    }

    public long dropped() {
        return dropped.get();
    }

    /** Waits (up to 5 s) until everything enqueued so far is written. */
    public void flush() {
        long target = enqueued.get();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (written.get() < target && System.nanoTime() < deadline && writer.isAlive()) {
            Thread.onSpinWait();
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void drain() {
        List<Entry> batch = new ArrayList<>(BATCH);
        while (running || !queue.isEmpty()) {
            try {
                Entry first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                gather(batch);
                write(batch);
            } catch (InterruptedException e) {
                running = false;
            } catch (RuntimeException e) {
                log.error("traffic log: could not write {} records", batch.size(), e);
            } finally {
                written.addAndGet(batch.size());
                batch.clear();
            }
        }
    }

    /**
     * Adds what arrives within {@link #LINGER_NANOS} of the first record, up to {@link #BATCH}; at once when stopping.
     * The writer sleeps through the linger instead of waiting on the queue: a waiting writer would be woken by every
     * record offered meanwhile, one thread switch per scoring request.
     */
    private void gather(List<Entry> batch) {
        queue.drainTo(batch, BATCH - batch.size());
        if (!running || batch.size() >= BATCH) {
            return;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(LINGER_NANOS);
        } catch (InterruptedException e) {
            // Write what was gathered; the drain loop sees the interrupt at its next wait and stops.
            Thread.currentThread().interrupt();
        }
        queue.drainTo(batch, BATCH - batch.size());
    }

    /**
     * Serializes each endpoint's records straight to UTF-8 bytes, one JSON document per line ({@link #writeLine}), into a
     * buffer kept from batch to batch, and appends them with one write. A String per record, then a StringBuilder, then a
     * Writer's encoder cost this thread more CPU, and fresh buffers were a tenth of the server's allocation (issue 6).
     */
    private void write(List<Entry> batch) {
        Map<String, List<TrafficRecord>> byEndpoint = new LinkedHashMap<>();
        for (Entry entry : batch) {
            byEndpoint.computeIfAbsent(entry.endpointKey(), key -> new ArrayList<>()).add(entry.record());
        }
        for (Map.Entry<String, List<TrafficRecord>> endpoint : byEndpoint.entrySet()) {
            batchBytes.reset();
            try (JsonGenerator json = Json.MAPPER.getFactory().createGenerator(batchBytes, JsonEncoding.UTF8)) {
                for (TrafficRecord record : endpoint.getValue()) {
                    writeLine(json, record);
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot serialize a traffic record", e);
            }
            synchronized (files) {
                Path file = fileOf(endpoint.getKey());
                try {
                    LogFiles.renameIfOver(file, maxFileBytes);
                } catch (IOException e) {
                    // Keep appending: a log over its cap loses nothing, a failed write would.
                    log.warn("traffic log: cannot rotate {}: {}", file, e.toString());
                }
                try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                        StandardOpenOption.WRITE)) {
                    batchBytes.writeTo(out);
                } catch (IOException e) {
                    throw new StoreException("could not write the traffic log", e);
                }
            }
        }
    }

    /**
     * One record as one line of JSON, field by field in the record's order, as Jackson's mapper would write it and
     * {@link #recent} reads it back (TrafficLogTest holds the two to the same fields). Written by hand because the
     * mapper's reflective serializer was most of this thread's CPU (issue 6).
     */
    private static void writeLine(JsonGenerator json, TrafficRecord record) throws IOException {
        json.writeStartObject();
        json.writeStringField("timeGenerated", record.timeGenerated().toString());
        json.writeStringField("method", record.method());
        json.writeStringField("path", record.path());
        json.writeStringField("subscriptionId", record.subscriptionId());
        json.writeStringField("workspaceName", record.workspaceName());
        json.writeStringField("endpointName", record.endpointName());
        json.writeStringField("deploymentName", record.deploymentName());
        json.writeStringField("protocol", record.protocol());
        json.writeNumberField("responseCode", record.responseCode());
        json.writeStringField("responseCodeReason", record.responseCodeReason());
        json.writeNumberField("modelStatusCode", record.modelStatusCode());
        json.writeStringField("modelStatusReason", record.modelStatusReason());
        json.writeNumberField("requestPayloadSize", record.requestPayloadSize());
        json.writeNumberField("responsePayloadSize", record.responsePayloadSize());
        json.writeStringField("userAgent", record.userAgent());
        json.writeStringField("xRequestId", record.xRequestId());
        json.writeStringField("xMsClientRequestId", record.xMsClientRequestId());
        json.writeNumberField("totalDurationMs", record.totalDurationMs());
        json.writeNumberField("requestDurationMs", record.requestDurationMs());
        json.writeNumberField("responseDurationMs", record.responseDurationMs());
        json.writeNumberField("requestThrottlingDelayMs", record.requestThrottlingDelayMs());
        json.writeNumberField("responseThrottlingDelayMs", record.responseThrottlingDelayMs());
        json.writeStringField("authMode", record.authMode());
        json.writeStringField("identity", record.identity());
        json.writeBooleanField("mirrored", record.mirrored());
        json.writeEndObject();
        json.writeRaw('\n');
    }

    /** Endpoint keys are resource ids (slashes, up to hundreds of characters); the file is named by their hash. */
    private Path fileOf(String endpointKey) {
        return directory.resolve(Hashes.sha256Hex(endpointKey).substring(0, 32) + ".jsonl");
    }

    @Override
    public void close() {
        running = false;
        try {
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
