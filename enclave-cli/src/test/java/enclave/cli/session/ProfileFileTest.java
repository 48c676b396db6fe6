package enclave.cli.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import enclave.cli.console.CliException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cli/profile.json}: every kind of sign-in round-trips, the file is owner-only and replaced whole, no file is the admin. */
class ProfileFileTest {
    @TempDir
    Path home;

    @Test
    void everyProfileRoundTrips() {
        for (Profile profile : List.of(
                new Profile.ServicePrincipal("t", "app", "secret"),
                new Profile.User("t", "alice@enclave.local", "refresh-1"),
                new Profile.ManagedIdentity("t", Optional.empty()),
                new Profile.ManagedIdentity("t", Optional.of("client-1")))) {
            ProfileFile.write(home, profile);
            assertThat(ProfileFile.read(home)).isEqualTo(profile);
        }
    }

    @Test
    void noFileIsTheAdminAndSavingTheAdminRemovesTheFile() {
        assertThat(ProfileFile.read(home)).isEqualTo(new Profile.Admin());
        ProfileFile.write(home, new Profile.User("t", "alice@enclave.local", "refresh-1"));
        ProfileFile.write(home, new Profile.Admin());
        assertThat(ProfileFile.file(home)).doesNotExist();
    }

    @Test
    void theFileIsOwnerOnlyEvenWhenItExistedWithWiderRights() throws IOException {
        Path file = ProfileFile.file(home);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{}");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        ProfileFile.write(home, new Profile.ServicePrincipal("t", "app", "secret"));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("profile.json");
        }
    }

    @Test
    void aDamagedFileSaysHowToRecover() throws IOException {
        Path file = ProfileFile.file(home);
        Files.createDirectories(file.getParent());
        for (String text : List.of("{", "{\"type\":\"wizard\"}", "{\"type\":\"user\",\"tenantId\":\"t\",\"userPrincipalName\":\"a\"}")) {
            Files.writeString(file, text);
            assertThatThrownBy(() -> ProfileFile.read(home))
                    .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.code()).isEqualTo("InvalidProfile"))
                    .hasMessageContaining("sign in again with `enclave login` or delete the file to act as the platform admin");
        }
    }
}
