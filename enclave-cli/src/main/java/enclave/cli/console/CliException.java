package enclave.cli.console;

import enclave.core.EnclaveException;

/**
 * The one failure the CLI shows to a person: a stable code, a message that says what to do, and the
 * process exit code (1 for failures, 2 for command-line mistakes). Printed as {@code ERROR: (code) message}.
 */
public final class CliException extends RuntimeException {
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    private final String code;
    private final int exitCode;

    public CliException(String code, String message) {
        this(code, message, FAILURE);
    }

    public CliException(String code, String message, int exitCode) {
        super(message, null, false, false);
        this.code = code;
        this.exitCode = exitCode;
    }

    /** A mistake in the command line itself (exit code 2). */
    public static CliException usage(String message) {
        return new CliException("UsageError", message, USAGE);
    }

    /** A problem with the user's input files or values (exit code 1). */
    public static CliException user(String message) {
        return new CliException("UserError", message);
    }

    public static CliException from(EnclaveException e) {
        return new CliException(e.code().name(), e.getMessage());
    }

    public String code() {
        return code;
    }

    public int exitCode() {
        return exitCode;
    }
}
