package enclave.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretBoxTest {
    @TempDir
    Path dir;

    @Test
    void sealsAndOpensWithTheSameKeyFileAcrossRestarts() throws Exception {
        Path keyFile = dir.resolve("keys/secrets.key");
        String sealed = SecretBox.open(keyFile).seal("p@ssw0rd", "conn-1");
        assertThat(sealed).startsWith("v1:").doesNotContain("p@ssw0rd");
        assertThat(SecretBox.open(keyFile).open(sealed, "conn-1")).isEqualTo("p@ssw0rd");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
    }

    @Test
    void refusesAnotherContextAnotherKeyOrAChangedText() {
        SecretBox box = SecretBox.open(dir.resolve("a.key"));
        String sealed = box.seal("secret", "conn-1");
        assertThatThrownBy(() -> box.open(sealed, "conn-2")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> SecretBox.open(dir.resolve("b.key")).open(sealed, "conn-1")).isInstanceOf(IllegalStateException.class);
        byte[] raw = Base64.getDecoder().decode(sealed.substring(3));
        raw[raw.length - 1] ^= 1;
        assertThatThrownBy(() -> box.open("v1:" + Base64.getEncoder().encodeToString(raw), "conn-1")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void sealingTwiceGivesDifferentTexts() {
        SecretBox box = SecretBox.open(dir.resolve("c.key"));
        assertThat(box.seal("same", "x")).isNotEqualTo(box.seal("same", "x"));
    }
}
