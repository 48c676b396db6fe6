package enclave.serving.deployment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.stream.Stream;

/** The last lines of a log file. */
final class LogTail {
    private LogTail() {}

    static String lastLines(Path file, int lines) {
        Deque<String> tail = new ArrayDeque<>(Math.max(lines, 1));
        try (Stream<String> all = Files.lines(file, StandardCharsets.UTF_8)) {
            all.forEach(line -> {
                if (tail.size() == lines) {
                    tail.removeFirst();
                }
                if (lines > 0) {
                    tail.addLast(line);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.io.UncheckedIOException e) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        tail.forEach(line -> out.append(line).append('\n'));
        return out.toString();
    }
}
