package enclave.cli.console;

import java.io.PrintStream;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Shows what a long operation is doing, on stderr. On a terminal: one line rewritten in place with a
 * spinner, the stage and the elapsed seconds. Otherwise (pipes, CI logs): a plain {@code stage...} line
 * each time the stage changes, nothing in between.
 */
public final class Progress implements AutoCloseable {
    private static final String SPINNER = "|/-\\";

    private final PrintStream err;
    private final boolean terminal;
    private final LongSupplier nanoTime;
    private final long started;
    private String stage = "";
    private int frame;
    private boolean lineOpen;

    public Progress(PrintStream err, boolean terminal, LongSupplier nanoTime) {
        this.err = err;
        this.terminal = terminal;
        this.nanoTime = nanoTime;
        this.started = nanoTime.getAsLong();
    }

    public static Progress of(PrintStream err, boolean terminal) {
        return new Progress(err, terminal, System::nanoTime);
    }

    /** Reports the current stage; repeats of the same stage only advance the spinner. */
    public void stage(String text) {
        String next = Objects.requireNonNullElse(text, "").strip();
        if (!next.equals(stage)) {
            stage = next;
            if (!terminal && !next.isEmpty()) {
                err.println(next + "...");
                err.flush();
            }
        }
        tick();
    }

    /** Redraws the spinner line (terminals only). */
    public void tick() {
        if (!terminal || stage.isEmpty()) {
            return;
        }
        long seconds = (nanoTime.getAsLong() - started) / 1_000_000_000L;
        char spinner = SPINNER.charAt(frame++ % SPINNER.length());
        err.print("\r" + spinner + " " + stage + " (" + seconds + "s)\033[K");
        err.flush();
        lineOpen = true;
    }

    /** Ends the spinner line so the next output starts on a clean line. */
    @Override
    public void close() {
        if (lineOpen) {
            err.print("\r\033[K");
            err.flush();
            lineOpen = false;
        }
    }
}
