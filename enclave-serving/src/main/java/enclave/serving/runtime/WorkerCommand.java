package enclave.serving.runtime;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How to launch one worker process of a deployment: the interpreter, Enclave's worker script, the
 * user's code, and the whole environment the process gets (nothing else is inherited). {@code launcher}
 * comes before the worker's own command line: empty on the host network, else the sandbox that sets up
 * the deployment's namespaces ({@link WorkerSandbox}). With a {@code standby}, a worker starts from its
 * waiting interpreter when it can, and records the modules it imported for the next one.
 */
record WorkerCommand(
        Path python, Path workerScript, Path codeDir, String scoringScript, Map<String, String> environment, List<String> launcher,
        Optional<StandbyWorker> standby) {
    private static final File NO_INPUT = new File("/dev/null");

    WorkerCommand {
        environment = Map.copyOf(environment);
        launcher = List.copyOf(launcher);
    }

    /** A worker process that serves on {@code socket} and appends its stdout and stderr to {@code log}. */
    Process start(Path socket, Path log) throws IOException {
        Optional<Process> standing = standby.flatMap(waiting -> waiting.take(this, socket, log));
        if (standing.isPresent()) {
            return standing.get();
        }
        return processBuilder(socket, log).start();
    }

    /** The worker script's arguments. */
    List<String> workerArguments(Path socket) {
        List<String> arguments = new ArrayList<>(List.of(
                "--socket", socket.toString(), "--code-dir", codeDir.toString(), "--scoring-script", scoringScript));
        if (launcher.isEmpty()) {
            standby.ifPresent(waiting -> arguments.addAll(List.of("--modules-out", waiting.modulesFile().toString())));
        }
        return arguments;
    }

    /** A process started cold: the interpreter runs the worker script from the beginning. */
    ProcessBuilder processBuilder(Path socket, Path log) {
        List<String> commandLine = new ArrayList<>(launcher);
        commandLine.addAll(List.of(python.toString(), "-u", workerScript.toString()));
        commandLine.addAll(workerArguments(socket));
        return interpreter(commandLine, codeDir, environment, log).redirectInput(ProcessBuilder.Redirect.from(NO_INPUT));
    }

    /**
     * A process of the worker script, cold or standby: it gets exactly {@code environment}, nothing of the server's own,
     * and appends its stdout and stderr to {@code log}.
     */
    static ProcessBuilder interpreter(List<String> commandLine, Path directory, Map<String, String> environment, Path log) {
        ProcessBuilder builder = new ProcessBuilder(commandLine)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().clear();
        builder.environment().putAll(environment);
        return builder;
    }
}
