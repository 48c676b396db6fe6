package enclave.serving.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of a conda environment file the local runtime can check: the Python packages it asks for.
 * Enclave does not create conda environments; it checks that the configured interpreter can import them.
 *
 * @param pythonVersion the version of {@code python} the file asks for, when it names one
 * @param packages the packages to check, platform-provided and build-tool packages left out
 * @param unchecked entries that name no checkable package (URLs, local paths, pip options), for a note
 */
public record CondaFile(Optional<String> pythonVersion, List<PythonRequirement> packages, List<String> unchecked) {
    private static final Pattern NAME = Pattern.compile("^([A-Za-z0-9][A-Za-z0-9._-]*)(.*)$", Pattern.DOTALL);

    // Build tooling, and native libraries conda exports list beside Python packages: nothing to import.
    private static final Set<String> NOT_IMPORTABLE = Set.of(
            "pip", "setuptools", "wheel", "ca-certificates", "certifi-openssl", "openssl", "ncurses", "readline",
            "sqlite", "tk", "tzdata", "xz", "zlib", "bzip2", "libffi", "libgcc-ng", "libstdcxx-ng", "libgomp",
            "libuuid", "ld-impl-linux-64", "mkl", "mkl-service", "intel-openmp", "blas", "nomkl", "cudatoolkit",
            "cudnn");

    public CondaFile {
        packages = List.copyOf(packages);
        unchecked = List.copyOf(unchecked);
    }

    /**
     * Parses conda YAML ({@code dependencies:} strings plus one {@code pip:} list).
     *
     * @throws EnclaveException {@code InvalidDeploymentSpec} naming what is wrong with the file
     */
    public static CondaFile parse(String text) {
        JsonNode root;
        try {
            root = Json.YAML.readTree(text);
        } catch (JsonProcessingException e) {
            // SnakeYAML's message already points at the line and column.
            throw invalid("it is not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw invalid("it is empty");
        }
        if (!root.isObject()) {
            throw invalid("it must be a mapping with a 'dependencies' list");
        }
        JsonNode dependencies = root.path("dependencies");
        if (dependencies.isMissingNode() || dependencies.isNull()) {
            return new CondaFile(Optional.empty(), List.of(), List.of());
        }
        if (!dependencies.isArray()) {
            throw invalid("'dependencies' must be a list");
        }
        Optional<String> python = Optional.empty();
        Map<String, PythonRequirement> packages = new LinkedHashMap<>();
        List<String> unchecked = new ArrayList<>();
        int position = 0;
        for (JsonNode entry : dependencies) {
            position++;
            if (entry.isTextual()) {
                String spec = entry.asText().strip();
                Matcher matcher = NAME.matcher(stripChannel(spec));
                if (!matcher.matches()) {
                    throw invalid("dependency #" + position + " '" + spec + "' is not a package specification");
                }
                String name = matcher.group(1);
                Optional<String> version = condaExactVersion(matcher.group(2));
                if (name.equalsIgnoreCase("python")) {
                    python = version.or(() -> Optional.of(matcher.group(2).strip())).filter(v -> !v.isEmpty());
                } else {
                    add(packages, name, version);
                }
            } else if (entry.isObject()) {
                for (Map.Entry<String, JsonNode> field : entry.properties()) {
                    if (!field.getKey().equals("pip")) {
                        throw invalid("dependency #" + position + " has an unknown key '" + field.getKey() + "'; only 'pip' is allowed");
                    }
                    JsonNode pip = field.getValue();
                    if (!pip.isArray()) {
                        throw invalid("'pip' must be a list of requirement strings");
                    }
                    for (JsonNode requirement : pip) {
                        if (!requirement.isTextual()) {
                            throw invalid("pip requirement '" + requirement + "' must be a string");
                        }
                        addPip(packages, unchecked, requirement.asText().strip());
                    }
                }
            } else {
                throw invalid("dependency #" + position + " must be a string or a 'pip' list, not " + entry);
            }
        }
        return new CondaFile(python, List.copyOf(packages.values()), unchecked);
    }

    private static void addPip(Map<String, PythonRequirement> packages, List<String> unchecked, String requirement) {
        if (requirement.isEmpty() || requirement.startsWith("#")) {
            return;
        }
        String withoutMarker = requirement.split(";", 2)[0].strip();
        // Options (-r, --extra-index-url), URLs and local paths name no package we could look for.
        if (withoutMarker.startsWith("-") || withoutMarker.startsWith(".") || withoutMarker.startsWith("/")
                || (withoutMarker.contains("://") && !withoutMarker.contains("@"))) {
            unchecked.add(requirement);
            return;
        }
        Matcher matcher = NAME.matcher(withoutMarker);
        if (!matcher.matches()) {
            unchecked.add(requirement);
            return;
        }
        String rest = matcher.group(2).strip();
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            rest = close < 0 ? "" : rest.substring(close + 1).strip();
        }
        Optional<String> version = Optional.empty();
        if (rest.startsWith("==") && !rest.contains(",")) {
            version = cleanVersion(rest.substring(2));
        }
        add(packages, matcher.group(1), version);
    }

    private static void add(Map<String, PythonRequirement> packages, String distribution, Optional<String> version) {
        String lower = distribution.toLowerCase(Locale.ROOT).replace('_', '-');
        if (NOT_IMPORTABLE.contains(lower) || lower.startsWith("_") || isPlatformProvided(lower)) {
            return;
        }
        PythonRequirement requirement = PythonRequirement.of(distribution, version);
        packages.putIfAbsent(requirement.importName(), requirement);
    }

    /** The Azure ML inference server and its schema helpers: Enclave's worker takes their place. */
    private static boolean isPlatformProvided(String distribution) {
        return distribution.startsWith("azureml") || distribution.startsWith("inference-schema");
    }

    private static String stripChannel(String spec) {
        int channel = spec.indexOf("::");
        return channel < 0 ? spec : spec.substring(channel + 2);
    }

    /** {@code =1.2}, {@code ==1.2}, {@code =1.2=build}, {@code 1.2} (after a space) pin one version; ranges do not. */
    private static Optional<String> condaExactVersion(String rest) {
        String spec = rest.strip();
        if (spec.startsWith("==")) {
            return cleanVersion(spec.substring(2));
        }
        if (spec.startsWith("=")) {
            return cleanVersion(spec.substring(1).split("=", 2)[0]);
        }
        if (!spec.isEmpty() && Character.isDigit(spec.charAt(0))) {
            return cleanVersion(spec.split("\\s+", 2)[0]);
        }
        return Optional.empty();
    }

    private static Optional<String> cleanVersion(String version) {
        String cleaned = version.strip();
        if (cleaned.endsWith(".*")) {
            cleaned = cleaned.substring(0, cleaned.length() - 2);
        }
        if (cleaned.isEmpty() || cleaned.contains(",") || cleaned.contains("|") || cleaned.contains("*")
                || cleaned.contains("<") || cleaned.contains(">")) {
            return Optional.empty();
        }
        return Optional.of(cleaned);
    }

    private static EnclaveException invalid(String problem) {
        return new EnclaveException(ErrorCode.InvalidDeploymentSpec, "The environment's conda file cannot be read: " + problem + ".");
    }
}
