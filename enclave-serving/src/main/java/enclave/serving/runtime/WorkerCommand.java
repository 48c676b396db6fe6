package enclave.serving.runtime;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How to launch one worker process of a deployment: the interpreter, Enclave's worker script, the
 * user's code, and the whole environment the process gets (nothing else is inherited). {@code launcher}
 * comes before the worker's own command line: empty on the host network, else the sandbox that sets up
 * the deployment's namespaces ({@link WorkerSandbox}).
 */
record WorkerCommand(
        Path python, Path workerScript, Path codeDir, String scoringScript, Map<String, String> environment, List<String> launcher) {
    private static final File NO_INPUT = new File("/dev/null");

    WorkerCommand {
        environment = Map.copyOf(environment);
        launcher = List.copyOf(launcher);
    }

    /** A process that serves on {@code socket} and appends its stdout and stderr to {@code log}. */
    ProcessBuilder processBuilder(Path socket, Path log) {
        List<String> commandLine = new ArrayList<>(launcher);
        commandLine.addAll(List.of(
                        python.toString(),
                        "-u",
                        workerScript.toString(),
                        "--socket",
                        socket.toString(),
                        "--code-dir",
                        codeDir.toString(),
                        "--scoring-script",
                        scoringScript));
        ProcessBuilder builder = new ProcessBuilder(commandLine)
                .directory(codeDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(NO_INPUT))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().clear();
        builder.environment().putAll(environment);
        return builder;
    }
}
