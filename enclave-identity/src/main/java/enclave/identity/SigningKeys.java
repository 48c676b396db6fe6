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
    private volatile long generation;

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
        return rotate(java.time.Instant.now());
    }

    private RSAKey rotate(java.time.Instant now) {
        try {
            // kid sorts by creation time so the newest key is last after a restart too
            String kid = String.format("%015d-%s", now.toEpochMilli(), UUID.randomUUID().toString().substring(0, 8));
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
            generation++;
            return key;
        } catch (JOSEException | IOException e) {
            throw new IllegalStateException("cannot create a signing key", e);
        }
    }

    /**
     * Keeps keys fresh: makes a new signing key when the current one is older than {@code rotateAfter}, and deletes keys
     * that stopped signing more than {@code tokenLifetime} ago (no unexpired token can carry them any more).
     */
    public synchronized void maintain(java.time.Instant now, java.time.Duration rotateAfter, java.time.Duration tokenLifetime) {
        if (createdAt(current()).plus(rotateAfter).isBefore(now)) {
            rotate(now);
        }
        List<RSAKey> kept = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            RSAKey key = keys.get(i);
            boolean retired = i + 1 < keys.size() && createdAt(keys.get(i + 1)).plus(tokenLifetime).isBefore(now);
            if (retired) {
                try {
                    Files.deleteIfExists(directory.resolve(key.getKeyID() + ".jwk"));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot retire signing key " + key.getKeyID(), e);
                }
            } else {
                kept.add(key);
            }
        }
        if (kept.size() != keys.size()) {
            keys = List.copyOf(kept);
            generation++;
        }
    }

    /** Changes whenever a key is added or withdrawn, so a cache of verified tokens knows to start over. */
    public long generation() {
        return generation;
    }

    /** When a key was made: its id starts with the creation time in epoch milliseconds. */
    static java.time.Instant createdAt(RSAKey key) {
        String kid = key.getKeyID();
        int dash = kid.indexOf('-');
        try {
            return java.time.Instant.ofEpochMilli(Long.parseLong(dash < 0 ? kid : kid.substring(0, dash)));
        } catch (NumberFormatException e) {
            return java.time.Instant.EPOCH;
        }
    }

    public List<String> keyIds() {
        return keys.stream().map(RSAKey::getKeyID).toList();
    }

    public RSAKey current() {
        return keys.getLast();
    }

    /** The public halves of every published key. */
    public JWKSet publicKeys() {
        return new JWKSet(new ArrayList<>(keys.stream().map(k -> (com.nimbusds.jose.jwk.JWK) k.toPublicJWK()).toList()));
    }
}
