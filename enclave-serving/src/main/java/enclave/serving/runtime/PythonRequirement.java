package enclave.serving.runtime;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One Python package a conda file asks for.
 *
 * @param distribution the name as written in the conda file, e.g. {@code scikit-learn}
 * @param importName the module the runtime checks for, e.g. {@code sklearn}
 * @param exactVersion the version when the file pins exactly one ({@code numpy=1.26}, {@code joblib==1.4.2})
 */
public record PythonRequirement(String distribution, String importName, Optional<String> exactVersion) {
    // Distributions whose import name is not their name with '-' turned into '_'.
    private static final Map<String, String> IMPORT_NAMES = Map.ofEntries(
            Map.entry("scikit-learn", "sklearn"),
            Map.entry("scikit-image", "skimage"),
            Map.entry("pyyaml", "yaml"),
            Map.entry("pillow", "PIL"),
            Map.entry("opencv-python", "cv2"),
            Map.entry("opencv-python-headless", "cv2"),
            Map.entry("opencv-contrib-python", "cv2"),
            Map.entry("opencv-contrib-python-headless", "cv2"),
            Map.entry("python-dateutil", "dateutil"),
            Map.entry("beautifulsoup4", "bs4"),
            Map.entry("protobuf", "google.protobuf"),
            Map.entry("pytorch", "torch"),
            Map.entry("py-xgboost", "xgboost"),
            Map.entry("tensorflow-cpu", "tensorflow"),
            Map.entry("tensorflow-gpu", "tensorflow"),
            Map.entry("attrs", "attr"));

    public PythonRequirement {
        Objects.requireNonNull(distribution);
        Objects.requireNonNull(importName);
        Objects.requireNonNull(exactVersion);
        if (distribution.isBlank() || importName.isBlank()) {
            throw new IllegalArgumentException("a requirement needs a distribution and an import name");
        }
    }

    /** A requirement named {@code distribution}, with its import name derived from it. */
    public static PythonRequirement of(String distribution, Optional<String> exactVersion) {
        return new PythonRequirement(distribution, importNameOf(distribution), exactVersion);
    }

    /**
     * The module a distribution installs: {@code scikit-learn} → {@code sklearn},
     * {@code azure-storage-blob} → {@code azure.storage.blob}.
     */
    public static String importNameOf(String distribution) {
        String name = distribution.toLowerCase(Locale.ROOT).replace('_', '-').replace('.', '-');
        String known = IMPORT_NAMES.get(name);
        if (known != null) {
            return known;
        }
        // Azure SDK packages are namespace packages: azure-identity installs azure/identity.
        if (name.startsWith("azure-")) {
            return name.replace('-', '.');
        }
        return name.replace('-', '_');
    }

    /** The Debian package that usually provides this module for {@code /usr/bin/python3}. */
    public String debianPackage() {
        if (importName.equals("cv2")) {
            return "python3-opencv";
        }
        return "python3-" + importName.toLowerCase(Locale.ROOT).replace('_', '-').replace('.', '-');
    }
}
