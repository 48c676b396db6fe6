package enclave.serving.trafficlog;

import static org.assertj.core.api.Assertions.assertThat;

import enclave.core.Json;
import enclave.core.ResourceId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the gateway records comes back whole, per endpoint and in order, however the writer batched it. */
class TrafficLogTest {
    private static final ResourceId WORKSPACE = ResourceId.of("sub-1", "rg", "Microsoft.MachineLearningServices", "workspaces", "ws");

    @TempDir
    Path directory;

    @Test
    void recordsComeBackPerEndpointInOrderWithEveryField() throws Exception {
        ResourceId blue = WORKSPACE.child("onlineEndpoints", "blue-ep");
        ResourceId green = WORKSPACE.child("onlineEndpoints", "green-ep");
        List<TrafficRecord> blueRecords = new ArrayList<>();
        List<TrafficRecord> greenRecords = new ArrayList<>();
        try (TrafficLog log = new TrafficLog(directory)) {
            for (int i = 0; i < 1500; i++) {
                TrafficRecord record = record(i % 3 == 0 ? "green-ep" : "blue-ep", i);
                if (i % 3 == 0) {
                    log.record(green, record);
                    greenRecords.add(record);
                } else {
                    log.record(blue, record);
                    blueRecords.add(record);
                }
            }
            assertThat(log.recent(blue, 5000)).containsExactlyElementsOf(blueRecords);
            assertThat(log.recent(green, 3)).containsExactlyElementsOf(greenRecords.subList(greenRecords.size() - 3, greenRecords.size()));
            assertThat(log.dropped()).isZero();
        }
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.toList()) {
                String text = Files.readString(file);
                assertThat(text).endsWith("}\n").doesNotContain("\n\n").doesNotStartWith("\n");
            }
        }
    }

    @Test
    void eachLineIsWhatJacksonWouldWriteForTheRecord() throws Exception {
        ResourceId endpoint = WORKSPACE.child("onlineEndpoints", "json-ep");
        TrafficRecord record = record("json-ep", 7);
        try (TrafficLog log = new TrafficLog(directory)) {
            log.record(endpoint, record);
            log.flush();
        }
        try (Stream<Path> files = Files.list(directory)) {
            String line = Files.readString(files.findFirst().orElseThrow()).strip();
            assertThat(line).isEqualTo(Json.MAPPER.writeValueAsString(record));
        }
    }

    @Test
    void anEndpointsLogStaysUnderTwiceItsCapAndTheNewestRecordsReadAcrossTheRotation() throws Exception {
        ResourceId endpoint = WORKSPACE.child("onlineEndpoints", "busy-ep");
        long cap = 16 * 1024;
        List<TrafficRecord> written = new ArrayList<>();
        try (TrafficLog log = new TrafficLog(directory, cap)) {
            for (int i = 0; i < 3000; i++) {
                TrafficRecord record = record("busy-ep", i);
                log.record(endpoint, record);
                written.add(record);
                if (i % 100 == 99) {
                    log.flush(); // many batches, so that the file goes over its cap several times
                }
            }
            log.flush();
            try (Stream<Path> files = Files.list(directory)) {
                List<Path> both = files.toList();
                assertThat(both).hasSize(2);
                // A batch of 100 records (about 50 KiB) is written whole after the check: the cap bounds the file before it.
                for (Path file : both) {
                    assertThat(Files.size(file)).isLessThan(cap + 100 * 1024);
                }
            }
            // The newest file alone holds fewer than 150 records; the rest come from the previous one, in order.
            assertThat(log.recent(endpoint, 150)).containsExactlyElementsOf(written.subList(written.size() - 150, written.size()));

            log.deleteEndpoint(endpoint);
            assertThat(log.recent(endpoint, 10)).isEmpty();
        }
        try (Stream<Path> files = Files.list(directory)) {
            assertThat(files.toList()).isEmpty();
        }
    }

    private static TrafficRecord record(String endpoint, int i) {
        return new TrafficRecord(Instant.parse("2026-11-23T10:00:00Z").plusMillis(i), "POST", "/endpoints/" + endpoint + "/score", "sub-1",
                "ws", endpoint, "blue", "HTTP/1.1", 200, "OK", 200, "OK", 40 + i, 20, "wrk/4.1 \"quoted\" ünïcode", "req-" + i,
                i % 2 == 0 ? "" : "client-" + i, 3, 3, 0, 0, 0, "key", "oid-" + i, i % 7 == 0);
    }
}
