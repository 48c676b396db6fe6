package enclave.serving.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CondaFileTest {
    @Test
    void readsCondaAndPipPackagesAndLeavesOutWhatThePlatformProvides() {
        CondaFile conda = CondaFile.parse("""
                name: model-env
                channels:
                  - conda-forge
                dependencies:
                  - python=3.12
                  - conda-forge::numpy=1.26.4=py312h_0
                  - scikit-learn>=1.0
                  - pip
                  - setuptools
                  - pip:
                    - joblib==1.4.2
                    - azureml-inference-server-http==1.4.1
                    - azureml-defaults
                    - inference-schema[numpy-support]
                    - opencv-python-headless; python_version >= "3.8"
                    - azure-storage-blob
                    - numpy
                    - --extra-index-url https://example.org/simple
                    - https://example.org/wheels/thing.whl
                """);

        assertThat(conda.pythonVersion()).contains("3.12");
        assertThat(conda.packages()).containsExactly(
                new PythonRequirement("numpy", "numpy", Optional.of("1.26.4")),
                new PythonRequirement("scikit-learn", "sklearn", Optional.empty()),
                new PythonRequirement("joblib", "joblib", Optional.of("1.4.2")),
                new PythonRequirement("opencv-python-headless", "cv2", Optional.empty()),
                new PythonRequirement("azure-storage-blob", "azure.storage.blob", Optional.empty()));
        assertThat(conda.unchecked()).containsExactly(
                "--extra-index-url https://example.org/simple", "https://example.org/wheels/thing.whl");
    }

    @ParameterizedTest
    @CsvSource({
        "scikit-learn, sklearn",
        "PyYAML, yaml",
        "pillow, PIL",
        "opencv-python, cv2",
        "python-dateutil, dateutil",
        "beautifulsoup4, bs4",
        "azure-identity, azure.identity",
        "azure-ai-ml, azure.ai.ml",
        "typing-extensions, typing_extensions",
        "Flask, flask",
        "definitely-not-installed-pkg, definitely_not_installed_pkg",
    })
    void mapsDistributionNamesToImportNames(String distribution, String importName) {
        assertThat(PythonRequirement.importNameOf(distribution)).isEqualTo(importName);
    }

    @ParameterizedTest
    @CsvSource({
        "numpy, python3-numpy",
        "scikit-learn, python3-sklearn",
        "opencv-python, python3-opencv",
        "azure-identity, python3-azure-identity",
        "definitely-not-installed-pkg, python3-definitely-not-installed-pkg",
    })
    void suggestsTheDebianPackage(String distribution, String debianPackage) {
        assertThat(PythonRequirement.of(distribution, Optional.empty()).debianPackage()).isEqualTo(debianPackage);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "dependencies: numpy                 | 'dependencies' must be a list",
        "- numpy                             | must be a mapping",
        "dependencies: [{conda: [numpy]}]    | unknown key 'conda'",
        "dependencies: [{pip: joblib}]       | 'pip' must be a list",
        "dependencies: [[numpy]]             | must be a string or a 'pip' list",
        "dependencies: [numpy                | not valid YAML",
        "\"\"                                  | it is empty",
    })
    void aMalformedFileIsAnInvalidSpecThatSaysWhy(String text, String problem) {
        assertThatThrownBy(() -> CondaFile.parse(text))
                .isInstanceOfSatisfying(EnclaveException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.InvalidDeploymentSpec);
                    assertThat(e.getMessage()).contains(problem);
                });
    }

    @Test
    void aFileWithoutDependenciesAsksForNothing() {
        CondaFile conda = CondaFile.parse("name: empty\nchannels: [defaults]\n");

        assertThat(conda.packages()).isEmpty();
        assertThat(conda.pythonVersion()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
        "1.26.4, 1.26, true",
        "1.26.4, 1.26.4, true",
        "1.2.0, 1.2, true",
        "1.24.2, 1.2, false",
        "3.11.2, 3.12, false",
    })
    void anExactPinMatchesTheVersionsItCovers(String installed, String pinned, boolean matches) {
        assertThat(PythonEnvironmentCheck.versionMatches(installed, pinned)).isEqualTo(matches);
    }
}
