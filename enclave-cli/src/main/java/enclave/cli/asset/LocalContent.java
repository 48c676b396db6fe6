package enclave.cli.asset;

import enclave.cli.console.CliException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A local file or folder about to be uploaded, with a content hash that names its upload prefix
 * ({@code LocalUpload/<hash>/<basename>}): the same content always lands in the same place, so an
 * unchanged model or code folder maps to the version already registered.
 */
public record LocalContent(Path root, boolean directory, List<Entry> files, String hash) {
    public static final String DATASTORE_URI = "azureml://datastores/workspaceblobstore/paths/";
    // Build and editor leftovers that never belong in an upload and would make the hash unstable.
    private static final Set<String> SKIPPED_FOLDERS = Set.of(".git", "__pycache__", ".ipynb_checkpoints");

    /** One file: its {@code /}-separated path below the root (the file name for a single file). */
    public record Entry(String relativePath, Path file, long size) {}

    public LocalContent {
        files = List.copyOf(files);
    }

    public static LocalContent scan(Path path) {
        Path root = path.toAbsolutePath().normalize();
        List<Entry> entries = new ArrayList<>();
        try {
            if (Files.isDirectory(root)) {
                try (Stream<Path> walk = Files.walk(root)) {
                    for (Path file : walk.filter(Files::isRegularFile).toList()) {
                        Path relative = root.relativize(file);
                        if (skipped(relative)) {
                            continue;
                        }
                        entries.add(new Entry(relative.toString().replace('\\', '/'), file, Files.size(file)));
                    }
                }
            } else if (Files.isRegularFile(root)) {
                entries.add(new Entry(root.getFileName().toString(), root, Files.size(root)));
            } else {
                throw CliException.user(path + " does not exist");
            }
        } catch (IOException e) {
            throw CliException.user("cannot read " + path + ": " + e.getMessage());
        }
        entries.sort(Comparator.comparing(Entry::relativePath));
        return new LocalContent(root, Files.isDirectory(root), entries, hash(entries));
    }

    private static boolean skipped(Path relative) {
        for (Path part : relative) {
            if (SKIPPED_FOLDERS.contains(part.toString())) {
                return true;
            }
        }
        return relative.getFileName().toString().endsWith(".pyc");
    }

    /** SHA-256 over each file's relative path, size and bytes, in path order. */
    static String hash(List<Entry> entries) {
        MessageDigest digest = sha256();
        byte[] buffer = new byte[64 * 1024];
        for (Entry entry : entries) {
            digest.update(entry.relativePath().getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(Long.toString(entry.size()).getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            try (InputStream in = Files.newInputStream(entry.file())) {
                int read;
                while ((read = in.read(buffer)) > 0) {
                    digest.update(buffer, 0, read);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    public String basename() {
        return root.getFileName().toString();
    }

    /** The blob path prefix the files go under, below the container. */
    public String blobPrefix() {
        return "LocalUpload/" + hash + "/" + basename();
    }

    /** The blob path of one file. */
    public String blobPath(Entry entry) {
        return directory ? blobPrefix() + "/" + entry.relativePath() : blobPrefix();
    }

    /** The datastore uri the registered asset points at: a folder ends with {@code /}, a file does not. */
    public String uri() {
        return DATASTORE_URI + blobPrefix() + (directory ? "/" : "");
    }

    public long totalBytes() {
        return files.stream().mapToLong(Entry::size).sum();
    }

    /** {@code 3 files, 12 KB} */
    public String summary() {
        return files.size() + (files.size() == 1 ? " file, " : " files, ") + humanSize(totalBytes());
    }

    static String humanSize(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return (value >= 10 ? String.valueOf(Math.round(value)) : String.format(Locale.ROOT, "%.1f", value)) + " " + units[unit];
    }
}
