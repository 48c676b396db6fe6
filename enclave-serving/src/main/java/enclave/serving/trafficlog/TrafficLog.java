package enclave.serving.trafficlog;

import enclave.core.Json;
import enclave.core.ResourceId;
import enclave.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The traffic log. The gateway only enqueues (no database work on the request path); one writer thread drains the queue
 * in batches. A full queue drops records and counts them rather than slowing scoring down.
 */
public final class TrafficLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TrafficLog.class);
    private static final int CAPACITY = 65_536;
    private static final int BATCH = 512;

    private record Entry(String endpointKey, TrafficRecord record) {}

    private final DataSource dataSource;
    private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong enqueued = new AtomicLong();
    private final Thread writer;
    private volatile boolean running = true;

    public TrafficLog(DataSource dataSource) {
        this.dataSource = dataSource;
        this.writer = Thread.ofPlatform().name("traffic-log-writer").daemon().start(this::drain);
    }

    public void record(ResourceId endpoint, TrafficRecord record) {
        if (queue.offer(new Entry(endpoint.key(), record))) {
            enqueued.incrementAndGet();
        } else {
            dropped.incrementAndGet();
        }
    }

    /** The newest {@code top} records of an endpoint, oldest first. Waits for records already enqueued to be written. */
    public List<TrafficRecord> recent(ResourceId endpoint, int top) {
        flush();
        String sql = "SELECT record FROM traffic_log WHERE endpoint_key = ? ORDER BY seq DESC LIMIT ?";
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, endpoint.key());
            statement.setInt(2, top);
            List<TrafficRecord> records = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    records.add(Json.MAPPER.readValue(rows.getString(1), TrafficRecord.class));
                }
            }
            Collections.reverse(records);
            return records;
        } catch (SQLException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new StoreException("could not read the traffic log", e);
        }
    }

    public void deleteEndpoint(ResourceId endpoint) {
        flush();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement("DELETE FROM traffic_log WHERE endpoint_key = ?")) {
            statement.setString(1, endpoint.key());
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("could not delete traffic log records", e);
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
                queue.drainTo(batch, BATCH - 1);
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

    private void write(List<Entry> batch) {
        String sql = "INSERT INTO traffic_log (endpoint_key, time_generated, record) VALUES (?, ?, ?)";
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            connection.setAutoCommit(false);
            for (Entry entry : batch) {
                statement.setString(1, entry.endpointKey());
                statement.setObject(2, entry.record().timeGenerated().atOffset(ZoneOffset.UTC));
                statement.setString(3, Json.MAPPER.writeValueAsString(entry.record()));
                statement.addBatch();
            }
            statement.executeBatch();
            connection.commit();
        } catch (SQLException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new StoreException("could not write the traffic log", e);
        }
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
