package enclave.serving.runtime;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Reads the end of a console log without reading the whole file: worker logs grow without bound. */
public final class LogTail {
    private static final int BLOCK = 64 * 1024;
    private static final long MAX_BYTES = 8L * 1024 * 1024;

    private LogTail() {}

    /** The last {@code lines} lines of {@code file}; empty when it does not exist. */
    public static List<String> lastLines(Path file, int lines) {
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
