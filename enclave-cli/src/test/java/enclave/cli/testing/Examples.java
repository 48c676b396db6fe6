package enclave.cli.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The Azure ML example files of {@code ../shared/reference/azureml-examples/cli/endpoints/online}, as users
 * bring them. {@link #copyWithScoringScripts} adds what that repository's files refer to but the reference
 * copy leaves out (the {@code onlinescoring/} folders and Triton's {@code models/}), as a user's checkout has them.
 */
public final class Examples {
    private Examples() {}

    public static Path reference() {
        Path root = Path.of(System.getProperty("enclave.shared", "../../shared"))
                .resolve("reference/azureml-examples/cli/endpoints/online").toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("the Azure ML examples are missing: " + root);
        }
        return root;
    }

    public static Path copyWithScoringScripts(Path target) {
        Path source = reference();
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.toList()) {
                Path copy = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy);
                }
            }
            for (String model : new String[] {"model-1", "model-2"}) {
                Path scoring = Files.createDirectories(target.resolve(model).resolve("onlinescoring"));
                Files.writeString(scoring.resolve("score.py"), "def init():\n    pass\n\ndef run(raw_data):\n    return [0.5, 0.5]\n");
                Files.writeString(scoring.resolve("score_managedidentity.py"), "def init():\n    pass\n\ndef run(raw_data):\n    return []\n");
            }
            Path vnetScoring = Files.createDirectories(target.resolve("managed/vnet/sample/onlinescoring"));
            Files.writeString(vnetScoring.resolve("score.py"), "def init():\n    pass\n\ndef run(raw_data):\n    return []\n");
            Path triton = Files.createDirectories(target.resolve("triton/single-model/models/densenet_onnx/1"));
            Files.writeString(triton.resolve("model.onnx"), "not really onnx");
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
