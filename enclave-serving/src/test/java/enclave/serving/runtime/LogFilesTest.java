package enclave.serving.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Logs kept under a cap: what their writers append afterwards, and what the last lines read back. */
class LogFilesTest {
    @TempDir
    Path directory;

    @Test
    void aLogHeldOpenForAppendingStartsAgainAtItsBeginningAfterCopyTruncate() throws Exception {
        Path log = directory.resolve("instance-0.log");
        // Opened as a worker's stdout is (ProcessBuilder.Redirect.appendTo): O_APPEND, held open across the rotation.
        try (OutputStream worker = new FileOutputStream(log.toFile(), true)) {
            write(worker, 0, 1000);
            assertThat(LogFiles.copyTruncateIfOver(log, 1_000_000)).isFalse();
            assertThat(LogFiles.copyTruncateIfOver(log, 1000)).isTrue();
            write(worker, 1000, 1010);
        }

        // No hole of zeros where the old content was: the writer's next line went to the start.
        assertThat(Files.readAllLines(log)).isEqualTo(lines(1000, 1010));
        assertThat(Files.readAllLines(LogFiles.previous(log))).isEqualTo(lines(0, 1000));
        assertThat(LogFiles.lastLines(log, 15)).isEqualTo(lines(995, 1010));
        assertThat(LogFiles.lastLines(log, 5)).isEqualTo(lines(1005, 1010));
        try (var files = Files.list(directory)) {
            assertThat(files.map(file -> file.getFileName().toString())).containsExactlyInAnyOrder("instance-0.log", "instance-0.log.1");
        }
    }

    @Test
    void aLogOpenedPerWriteIsRenamedAndTheOlderPreviousFileGoes() throws Exception {
        Path log = directory.resolve("endpoint.jsonl");
        Files.write(log, lines(0, 100));
        assertThat(LogFiles.renameIfOver(log, 10_000)).isFalse();
        assertThat(LogFiles.renameIfOver(log, 100)).isTrue();
        assertThat(log).doesNotExist();
        assertThat(LogFiles.lastLines(log, 3)).isEqualTo(lines(97, 100));

        Files.write(log, lines(100, 200));
        assertThat(LogFiles.renameIfOver(log, 100)).isTrue();
        Files.write(log, lines(200, 201));
        assertThat(Files.readAllLines(LogFiles.previous(log))).isEqualTo(lines(100, 200));
        assertThat(LogFiles.lastLines(log, 1000)).isEqualTo(lines(100, 201));

        LogFiles.delete(log);
        assertThat(LogFiles.lastLines(log, 10)).isEmpty();
        assertThat(LogFiles.renameIfOver(log, 0)).isFalse();
    }

    private static void write(OutputStream out, int from, int to) throws Exception {
        for (String line : lines(from, to)) {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    private static List<String> lines(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "line " + i).toList();
    }
}
