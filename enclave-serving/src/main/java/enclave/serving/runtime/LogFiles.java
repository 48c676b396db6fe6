package enclave.serving.runtime;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The platform's append-only logs (worker console logs, traffic logs): reading their end without reading the whole
 * file, and keeping each under a size cap. A log over its cap becomes its <em>previous</em> file ({@code <name>.1},
 * replacing an older one) and starts again empty, so a log takes at most twice its cap on disk; {@link #lastLines}
 * reads across the two.
 */
public final class LogFiles {
    private static final int BLOCK = 64 * 1024;
    private static final long MAX_BYTES = 8L * 1024 * 1024;

    private LogFiles() {}

    /** The file {@code log} became when it last went over its cap. */
    public static Path previous(Path log) {
        return log.resolveSibling(log.getFileName() + ".1");
    }

    /**
     * For a log that its writer opens for each write: when it is over {@code maxBytes}, renames it to its previous
     * file. Nothing is lost; the next write creates the log again.
     *
     * @return whether it rotated
     */
    public static boolean renameIfOver(Path log, long maxBytes) throws IOException {
        if (sizeOf(log) <= maxBytes) {
            return false;
        }
        Files.move(log, previous(log), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return true;
    }

    /**
     * For a log that another process holds open in append mode (a worker's stdout): when it is over {@code maxBytes},
     * copies it to its previous file and truncates it; the writer's next append lands at the start. What the writer
     * appends between the copy and the truncation (microseconds) is lost, as with logrotate's copytruncate: the
     * alternative, restarting the worker to reopen its output, would cost a model's init().
     *
     * @return whether it rotated
     */
    public static boolean copyTruncateIfOver(Path log, long maxBytes) throws IOException {
        if (sizeOf(log) <= maxBytes) {
            return false;
        }
        Path previous = previous(log);
        Path copy = previous.resolveSibling(previous.getFileName() + ".tmp");
        Files.copy(log, copy, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel channel = FileChannel.open(log, StandardOpenOption.WRITE)) {
            channel.truncate(0);
        }
        Files.move(copy, previous, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return true;
    }

    /** Deletes a log and its previous file. */
    public static void delete(Path log) throws IOException {
        Files.deleteIfExists(log);
        Files.deleteIfExists(previous(log));
    }

    /**
     * The last {@code lines} lines of {@code log}, continued from its previous file when the log itself has fewer; empty
     * when neither exists.
     */
    public static List<String> lastLines(Path log, int lines) {
        List<String> newest = lastLinesOf(log, lines);
        if (newest.size() >= lines) {
            return newest;
        }
        List<String> older = lastLinesOf(previous(log), lines - newest.size());
        if (older.isEmpty()) {
            return newest;
        }
        List<String> both = new ArrayList<>(older.size() + newest.size());
        both.addAll(older);
        both.addAll(newest);
        return both;
    }

    private static long sizeOf(Path log) throws IOException {
        try {
            return Files.size(log);
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    /** The last {@code lines} lines of one file (at most its last {@link #MAX_BYTES}); empty when it does not exist. */
    private static List<String> lastLinesOf(Path file, int lines) {
        if (lines <= 0 || !Files.exists(file)) {
            return List.of();
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long end = raf.length();
            long start = end;
            int newlines = 0;
            byte[] block = new byte[BLOCK];
            // A trailing newline ends the last line; it does not start another one.
            long scanEnd = end > 0 && byteAt(raf, end - 1) == '\n' ? end - 1 : end;
            long position = scanEnd;
            search:
            while (position > 0 && end - position < MAX_BYTES) {
                int length = (int) Math.min(BLOCK, position);
                position -= length;
                raf.seek(position);
                raf.readFully(block, 0, length);
                for (int i = length - 1; i >= 0; i--) {
                    if (block[i] == '\n' && ++newlines == lines) {
                        start = position + i + 1;
                        break search;
                    }
                }
                start = position;
            }
            byte[] tail = new byte[(int) (scanEnd - start)];
            raf.seek(start);
            raf.readFully(tail);
            String text = new String(tail, StandardCharsets.UTF_8);
            return text.isEmpty() ? List.of() : Arrays.asList(text.split("\n", -1));
        } catch (FileNotFoundException e) {
            return List.of();
        } catch (IOException e) {
            return List.of("(cannot read " + file + ": " + e.getMessage() + ")");
        }
    }

    private static int byteAt(RandomAccessFile raf, long position) throws IOException {
        raf.seek(position);
        return raf.read();
    }
}
