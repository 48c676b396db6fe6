package enclave.cli.asset;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalContentTest {
    @TempDir
    Path temp;

    @Test
    void sameContentHasTheSameHashWhereverItLives() throws IOException {
        Path one = folder("one/model", "b.txt", "bee", "a/x.bin", "ex");
        Path two = folder("two/model", "a/x.bin", "ex", "b.txt", "bee");

        LocalContent first = LocalContent.scan(one);
        LocalContent second = LocalContent.scan(two);

        assertThat(first.hash()).isEqualTo(second.hash()).hasSize(64);
        assertThat(first.files()).extracting(LocalContent.Entry::relativePath).containsExactly("a/x.bin", "b.txt");
        assertThat(LocalContent.scan(one).hash()).isEqualTo(first.hash());
    }

    @Test
    void changedBytesOrNamesChangeTheHash() throws IOException {
        String original = LocalContent.scan(folder("base/model", "a.txt", "one")).hash();
        assertThat(LocalContent.scan(folder("bytes/model", "a.txt", "two")).hash()).isNotEqualTo(original);
        assertThat(LocalContent.scan(folder("name/model", "b.txt", "one")).hash()).isNotEqualTo(original);
        assertThat(LocalContent.scan(folder("more/model", "a.txt", "one", "c.txt", "")).hash()).isNotEqualTo(original);
    }

    @Test
    void buildLeftoversAreLeftOut() throws IOException {
        String clean = LocalContent.scan(folder("clean/code", "score.py", "x")).hash();
        Path dirty = folder("dirty/code", "score.py", "x", "__pycache__/score.cpython-312.pyc", "junk", ".git/HEAD", "ref");
        assertThat(LocalContent.scan(dirty).hash()).isEqualTo(clean);
    }

    @Test
    void folderUploadsKeepTheFolderName() throws IOException {
        LocalContent content = LocalContent.scan(folder("m/model", "sub/w.bin", "weights"));

        assertThat(content.blobPrefix()).isEqualTo("LocalUpload/" + content.hash() + "/model");
        assertThat(content.blobPath(content.files().getFirst())).isEqualTo("LocalUpload/" + content.hash() + "/model/sub/w.bin");
        assertThat(content.uri()).isEqualTo("azureml://datastores/workspaceblobstore/paths/LocalUpload/" + content.hash() + "/model/");
        assertThat(content.summary()).isEqualTo("1 file, 7 B");
    }

    @Test
    void aSingleFileLandsUnderItsOwnName() throws IOException {
        Path file = Files.writeString(temp.resolve("model.pkl"), "pickle");
        LocalContent content = LocalContent.scan(file);

        assertThat(content.directory()).isFalse();
        assertThat(content.blobPath(content.files().getFirst())).isEqualTo("LocalUpload/" + content.hash() + "/model.pkl");
        assertThat(content.uri()).isEqualTo("azureml://datastores/workspaceblobstore/paths/LocalUpload/" + content.hash() + "/model.pkl");
    }

    @Test
    void sizesReadLikeAPersonWouldWriteThem() {
        assertThat(LocalContent.humanSize(12 * 1024)).isEqualTo("12 KB");
        assertThat(LocalContent.humanSize(1536)).isEqualTo("1.5 KB");
        assertThat(LocalContent.humanSize(3L * 1024 * 1024 * 1024)).isEqualTo("3.0 GB");
    }

    private Path folder(String name, String... pathsAndContents) throws IOException {
        Path root = Files.createDirectories(temp.resolve(name));
        for (int i = 0; i < pathsAndContents.length; i += 2) {
            Path file = root.resolve(pathsAndContents[i]);
            Files.createDirectories(file.getParent());
            Files.writeString(file, pathsAndContents[i + 1]);
        }
        return root;
    }
}
