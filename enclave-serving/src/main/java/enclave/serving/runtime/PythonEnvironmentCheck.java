package enclave.serving.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Checks, in one Python process, that the interpreter can import every package a conda file asks for.
 * Missing packages fail the deployment; versions that differ from a pin only earn a note, because the
 * interpreter's packages come from the operating system, not from the conda file.
 */
final class PythonEnvironmentCheck {
    private static final Duration TIME_LIMIT = Duration.ofSeconds(60);
    private static final String RESULT_MARKER = "ENCLAVE-CHECK:";

    // argv[1]: the code directory (vendored packages there count, as in the worker);
    // argv[2]: JSON list of [import name, distribution name].
    private static final String CHECK_SCRIPT = """
            import importlib.util, json, sys
            sys.path.insert(0, sys.argv[1])
            result = {"python": "%d.%d.%d" % sys.version_info[:3], "missing": [], "versions": {}}
            for module, distribution in json.loads(sys.argv[2]):
                try:
                    found = importlib.util.find_spec(module) is not None
                except Exception:
                    found = False
                if not found:
                    result["missing"].append(module)
                    continue
                try:
                    from importlib.metadata import version
                    result["versions"][distribution] = version(distribution)
                except Exception:
                    pass
            print("ENCLAVE-CHECK:" + json.dumps(result), flush=True)
            """;

    private final Path python;

    PythonEnvironmentCheck(Path python) {
        this.python = python;
    }

    /**
     * @return notes for the console log (version differences, entries that could not be checked)
     * @throws EnclaveException {@code MissingPythonPackage} naming every package the interpreter lacks
     */
    List<String> check(CondaFile conda, Path codeDir, Map<String, String> environment, Path outputFile) {
        List<String> notes = new ArrayList<>();
        for (String entry : conda.unchecked()) {
            notes.add("the conda file's pip entry '" + entry + "' was not checked; make sure " + python + " provides it");
        }
        JsonNode result = run(conda, codeDir, environment, outputFile);
        String pythonVersion = result.path("python").asText();
        conda.pythonVersion()
                .filter(wanted -> !versionMatches(pythonVersion, wanted))
                .ifPresent(wanted -> notes.add("the conda file asks for python " + wanted + "; " + python + " is Python " + pythonVersion));

        List<String> missingModules = new ArrayList<>();
        result.path("missing").forEach(node -> missingModules.add(node.asText()));
        List<PythonRequirement> missing = conda.packages().stream()
                .filter(requirement -> missingModules.contains(requirement.importName()))
                .toList();
        if (!missing.isEmpty()) {
            throw missingPackages(missing, pythonVersion);
        }
        JsonNode versions = result.path("versions");
        for (PythonRequirement requirement : conda.packages()) {
            Optional<String> installed = Optional.ofNullable(versions.get(requirement.distribution())).map(JsonNode::asText);
            if (requirement.exactVersion().isPresent() && installed.isPresent()
                    && !versionMatches(installed.get(), requirement.exactVersion().get())) {
                notes.add("the conda file pins " + requirement.distribution() + " " + requirement.exactVersion().get()
                        + "; using the installed " + installed.get() + " from " + python);
            }
        }
        return notes;
    }

    private JsonNode run(CondaFile conda, Path codeDir, Map<String, String> environment, Path outputFile) {
        String modules;
        try {
            modules = Json.MAPPER.writeValueAsString(conda.packages().stream()
                    .map(requirement -> List.of(requirement.importName(), requirement.distribution()))
                    .toList());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode the package list", e);
        }
        ProcessBuilder builder = new ProcessBuilder(python.toString(), "-c", CHECK_SCRIPT, codeDir.toString(), modules)
                .directory(codeDir.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(outputFile.toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw cannotRun("it could not be started: " + e.getMessage());
        }
        try {
            if (!process.waitFor(TIME_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw cannotRun("the package check did not finish within " + TIME_LIMIT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw cannotRun("the package check was interrupted");
        }
        String output;
        try {
            output = Files.readString(outputFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Optional<String> line = output.lines().filter(l -> l.startsWith(RESULT_MARKER)).reduce((first, second) -> second);
        if (process.exitValue() != 0 || line.isEmpty()) {
            throw cannotRun("the package check exited with code " + process.exitValue() + ":\n" + output.strip());
        }
        try {
            return Json.MAPPER.readTree(line.get().substring(RESULT_MARKER.length()));
        } catch (JsonProcessingException e) {
            throw cannotRun("the package check printed something unexpected: " + line.get());
        }
    }

    /** {@code =1.2} in conda means any 1.2.x, and {@code ==1.2} in pip equals 1.2.0: a prefix match at a dot covers both. */
    static boolean versionMatches(String installed, String pinned) {
        return installed.equals(pinned) || installed.startsWith(pinned + ".");
    }

    private EnclaveException missingPackages(List<PythonRequirement> missing, String pythonVersion) {
        String list = missing.stream()
                .map(requirement -> requirement.distribution() + " (import " + requirement.importName() + ")")
                .collect(Collectors.joining(", "));
        String debian = missing.stream().map(PythonRequirement::debianPackage).distinct().collect(Collectors.joining(" "));
        return new EnclaveException(ErrorCode.MissingPythonPackage,
                "The environment's conda file needs Python packages that " + python + " (Python " + pythonVersion
                        + ") cannot import: " + list + ". Enclave runs scoring scripts with that interpreter and does not"
                        + " install packages. Install them for it (on Debian, e.g. 'apt-get install " + debian
                        + "'), or configure Enclave to use another Python interpreter that has them.");
    }

    private EnclaveException cannotRun(String problem) {
        return new EnclaveException(ErrorCode.DeploymentFailed,
                "Cannot check the environment's packages with the Python interpreter " + python + ": " + problem);
    }
}
