package enclave.serving.runtime;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How to launch one worker process of a deployment: the interpreter, Enclave's worker script, the
 * user's code, and the whole environment the process gets (nothing else is inherited).
 */
record WorkerCommand(Path python, Path workerScript, Path codeDir, String scoringScript, Map<String, String> environment) {
    private static final File NO_INPUT = new File("/dev/null");

    WorkerCommand {
        environment = Map.copyOf(environment);
    }

    /** A process that serves on {@code socket} and appends its stdout and stderr to {@code log}. */
    ProcessBuilder processBuilder(Path socket, Path log) {
        ProcessBuilder builder = new ProcessBuilder(List.of(
                        python.toString(),
                        "-u",
                        workerScript.toString(),
                        "--socket",
                        socket.toString(),
                        "--code-dir",
                        codeDir.toString(),
                        "--scoring-script",
                        scoringScript))
                .directory(codeDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(NO_INPUT))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().clear();
        builder.environment().putAll(environment);
        return builder;
    }
}
