package enclave.monitor.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;

/**
 * CPU and memory of a process from {@code /proc/<pid>/stat} and {@code /proc/<pid>/status} (Linux). A process that is gone
 * or unreadable has no value rather than an error: workers come and go between a scrape's listing and its reading.
 */
public final class ProcessStats {
    // USER_HZ is 100 on every Linux architecture Enclave runs on (the kernel's ABI fixes it for /proc).
    private static final double CLOCK_TICKS_PER_SECOND = 100.0;
    private final Path proc;

    public ProcessStats(Path proc) {
        this.proc = proc;
    }

    public static ProcessStats linux() {
        return new ProcessStats(Path.of("/proc"));
    }

    /** utime + stime of the process, in seconds. */
    public OptionalDouble cpuSeconds(long pid) {
        try {
            String stat = Files.readString(proc.resolve(Long.toString(pid)).resolve("stat"));
            // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
            List<String> fields = List.of(stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +"));
            // After the name: state is field 3, so utime (field 14) is index 11 and stime (15) index 12.
            long ticks = Long.parseLong(fields.get(11)) + Long.parseLong(fields.get(12));
            return OptionalDouble.of(ticks / CLOCK_TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return OptionalDouble.empty();
        }
    }

    /** VmRSS of the process, in bytes. */
    public OptionalDouble residentBytes(long pid) {
        try {
            for (String line : Files.readAllLines(proc.resolve(Long.toString(pid)).resolve("status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring(6).trim().split(" +");
                    return OptionalDouble.of(Long.parseLong(parts[0]) * 1024.0);
                }
            }
            return OptionalDouble.empty();
        } catch (IOException | RuntimeException e) {
            return OptionalDouble.empty();
        }
    }
}
