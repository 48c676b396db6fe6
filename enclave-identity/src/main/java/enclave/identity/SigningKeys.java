package enclave.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The RSA keys tokens are signed with, persisted as JWK files in {@code <home>/keys}. The newest key signs;
 * every key still on disk is published in the JWKS so tokens it signed keep validating.
 */
public final class SigningKeys {
    private final Path directory;
    private volatile List<RSAKey> keys;

    private SigningKeys(Path directory, List<RSAKey> keys) {
        this.directory = directory;
        this.keys = List.copyOf(keys);
    }

    /** Loads the keys in {@code directory}, creating the first one when there is none. */
    public static SigningKeys open(Path directory) {
        try {
            Files.createDirectories(directory);
            List<RSAKey> keys = new ArrayList<>();
            try (Stream<Path> files = Files.list(directory)) {
                for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".jwk")).sorted().toList()) {
                    keys.add(RSAKey.parse(Files.readString(file)));
                }
            }
            SigningKeys signingKeys = new SigningKeys(directory, keys);
            if (keys.isEmpty()) {
                signingKeys.rotate();
            }
            return signingKeys;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read signing keys in " + directory, e);
        } catch (ParseException e) {
            throw new IllegalStateException("a signing key file in " + directory + " is damaged", e);
        }
    }

    /** Makes a new signing key; older keys stay published until {@link #retireOlderThan} removes them. */
    public synchronized RSAKey rotate() {
        try {
            // kid sorts by creation time so the newest key is last after a restart too
            String kid = String.format("%015d-%s", System.currentTimeMillis(), UUID.randomUUID().toString().substring(0, 8));
            RSAKey key = new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
            Path file = directory.resolve(kid + ".jwk");
            Path temp = directory.resolve(kid + ".tmp");
            Files.writeString(temp, key.toJSONString());
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: the data directory's own permissions must protect it
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            List<RSAKey> next = new ArrayList<>(keys);
            next.add(key);
            next.sort(Comparator.comparing(RSAKey::getKeyID));
            keys = List.copyOf(next);
            return key;
        } catch (JOSEException | IOException e) {
            throw new IllegalStateException("cannot create a signing key", e);
        }
    }

    public RSAKey current() {
        return keys.getLast();
    }

    /** The public halves of every published key. */
    public JWKSet publicKeys() {
        return new JWKSet(new ArrayList<>(keys.stream().map(k -> (com.nimbusds.jose.jwk.JWK) k.toPublicJWK()).toList()));
    }
}
