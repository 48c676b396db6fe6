package enclave.storage.blob;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Containers and block blobs of every storage account, on disk under one root:
 *
 * <pre>
 * {root}/{account}/{container}/.container.json     container properties
 * {root}/{account}/{container}/{key}               one committed blob: content, then a trailer with its name and properties
 * {root}/{account}/{container}/.blocks/{key}/{id}  uncommitted blocks
 * .tmp-* and .trash-* anywhere                     work in progress; removed on startup
 * </pre>
 *
 * <p>Every write goes to a temp file in the same directory, is forced to disk, and is published with one atomic
 * rename, so a crash never leaves a half-written blob visible. Keys are percent-encoded blob names that never
 * start with a dot or contain a separator, and names are checked before use, so no name reaches outside the root.
 *
 * <p>Failures a caller can act on are {@link EnclaveException}s: {@code InvalidResourceName}, {@code ContainerNotFound},
 * {@code InvalidRequestContent} (the content does not match the MD5 given), {@code BadRequest} (a bad block id, block
 * list or metadata name), {@code Conflict} with status 409 ({@code If-None-Match: *} met a blob) or 412 (another
 * condition failed). Disk failures are {@link UncheckedIOException}s.
 */
public final class BlobStore {
    private static final Logger log = LoggerFactory.getLogger(BlobStore.class);
    private static final byte[] MAGIC = "ENCLBLOB".getBytes(StandardCharsets.US_ASCII);
    private static final int TAIL = Integer.BYTES + MAGIC.length;
    private static final String TEMP = ".tmp-";
    private static final String TRASH = ".trash-";
    private static final String CONTAINER_FILE = ".container.json";
    private static final String BLOCKS = ".blocks";
    // Azure's limit on the number of blocks in a committed block list.
    private static final int MAX_COMMITTED_BLOCKS = 50_000;
    private static final int BUFFER = 256 * 1024;
    // ETags count 100 ns ticks since 1601 like Azure's (Windows FILETIME), so they look familiar and keep increasing.
    private static final long FILETIME_OFFSET_MILLIS = 11_644_473_600_000L;

    private final Path root;
    private final ReentrantLock[] blobLocks = newLocks(256);
    private final ReentrantLock[] containerLocks = newLocks(64);
    private final AtomicLong lastEtag = new AtomicLong();

    /** Opens (creating if needed) the blob root, removing any work a crash left behind. */
    public BlobStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the blob directory " + this.root, e);
        }
        removeLeftovers();
    }

    // ---- containers

    public boolean createContainer(String account, String container) {
        return createContainer(account, container, Map.of());
    }

    /** Creates a container; returns false when it already exists (and leaves it as it was). */
    public boolean createContainer(String account, String container, Map<String, String> metadata) {
        BlobNames.metadata(metadata);
        Path dir = containerDir(account, container);
        Path accountDir = dir.getParent();
        ReentrantLock lock = containerLock(dir);
        lock.lock();
        try {
            if (Files.isDirectory(dir)) {
                return false;
            }
            Files.createDirectories(accountDir);
            Path temp = accountDir.resolve(TEMP + UUID.randomUUID());
            try {
                Files.createDirectory(temp);
                writeSmallFile(temp.resolve(CONTAINER_FILE), Json.MAPPER.writeValueAsBytes(new StoredContainer(nextEtag(), Instant.now(), metadata)));
                Files.move(temp, dir, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                deleteTree(temp);
            }
            syncDirectory(accountDir);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create container " + container + " in " + account, e);
        } finally {
            lock.unlock();
        }
    }

    /** Deletes a container and all its blobs; returns false when there was none. */
    public boolean deleteContainer(String account, String container) {
        Path dir = containerDir(account, container);
        ReentrantLock lock = containerLock(dir);
        lock.lock();
        try {
            if (!Files.isDirectory(dir)) {
                return false;
            }
            // One rename makes the container disappear at once; the files go afterwards (or on the next start).
            Path trash = dir.getParent().resolve(TRASH + UUID.randomUUID());
            Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(trash);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete container " + container + " in " + account, e);
        } finally {
            lock.unlock();
        }
    }

    public boolean containerExists(String account, String container) {
        return Files.isDirectory(containerDir(account, container));
    }

    public Optional<ContainerInfo> container(String account, String container) {
        Path dir = containerDir(account, container);
        return readContainer(dir);
    }

    /** The account's containers whose names start with {@code prefix}, sorted by name. */
    public List<ContainerInfo> listContainers(String account, String prefix) {
        Path accountDir = root.resolve(BlobNames.account(account));
        List<ContainerInfo> containers = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(accountDir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.startsWith(".") && name.startsWith(prefix)) {
                    readContainer(entry).ifPresent(containers::add);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the containers of " + account, e);
        }
        containers.sort(Comparator.comparing(ContainerInfo::name));
        return containers;
    }

    // ---- blobs

    /** Writes a whole blob, replacing any blob of that name. */
    public BlobInfo put(String account, String container, String name, InputStream content, BlobProperties properties) {
        return put(account, container, name, content, properties, BlobConditions.NONE);
    }

    /** Writes a whole blob if {@code conditions} hold for the blob it replaces. */
    public BlobInfo put(String account, String container, String name, InputStream content, BlobProperties properties, BlobConditions conditions) {
        BlobNames.blob(name);
        BlobNames.metadata(properties.metadata());
        Path dir = existingContainer(account, container);
        Path temp = dir.resolve(TEMP + UUID.randomUUID());
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            MessageDigest md5 = md5();
            long size = copy(content, out, md5);
            String actualMd5 = Base64.getEncoder().encodeToString(md5.digest());
            checkMd5(properties.contentMd5(), actualMd5, "blob " + name);
            return commit(dir, name, temp, out, size, actualMd5, properties, conditions, List.of());
        } catch (NoSuchFileException e) {
            throw containerNotFound(account, container);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write blob " + name + " in " + account + "/" + container, e);
        } finally {
            deleteQuietly(temp);
        }
    }

    /**
     * Stages a block for a later {@link #commitBlockList}; returns the block's Base64 MD5. Fails with
     * {@code InvalidRequestContent} when the MD5 given does not match and {@code BadRequest} when the id's length
     * differs from the blob's other uncommitted blocks (Azure requires one length per blob).
     */
    public String putBlock(String account, String container, String name, String blockId, InputStream content, Optional<String> contentMd5) {
        BlobNames.blob(name);
        BlobNames.blockId(blockId);
        Path dir = existingContainer(account, container);
        String key = BlobNames.key(name);
        Path blocksRoot = dir.resolve(BLOCKS);
        Path temp = blocksRoot.resolve(TEMP + UUID.randomUUID());
        try {
            Files.createDirectories(blocksRoot);
            String actualMd5;
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                MessageDigest md5 = md5();
                copy(content, out, md5);
                actualMd5 = Base64.getEncoder().encodeToString(md5.digest());
                checkMd5(contentMd5, actualMd5, "block " + blockId);
                out.force(true);
            }
            ReentrantLock lock = blobLock(dir, key);
            lock.lock();
            try {
                Path blobBlocks = blocksRoot.resolve(key);
                Files.createDirectories(blobBlocks);
                Optional<String> otherId = uncommittedIds(blobBlocks).stream().findFirst();
                if (otherId.isPresent() && otherId.get().length() != blockId.length()) {
                    throw new EnclaveException(ErrorCode.BadRequest, "block id '" + blockId + "' has " + blockId.length()
                            + " characters but the blob's other uncommitted blocks have " + otherId.get().length()
                            + ": use block ids of one length for a blob");
                }
                Files.move(temp, blobBlocks.resolve(BlobNames.blockFile(blockId)), StandardCopyOption.ATOMIC_MOVE);
            } finally {
                lock.unlock();
            }
            return actualMd5;
        } catch (NoSuchFileException e) {
            throw containerNotFound(account, container);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a block of " + name + " in " + account + "/" + container, e);
        } finally {
            deleteQuietly(temp);
        }
    }

    /**
     * Commits a block blob from staged and/or currently committed blocks, in the order given, replacing the
     * blob's content; uncommitted blocks not in the list are discarded. Fails with {@code BadRequest} when a
     * block is not where the list says.
     */
    public BlobInfo commitBlockList(
            String account, String container, String name, List<BlockRef> blocks, BlobProperties properties, BlobConditions conditions) {
        BlobNames.blob(name);
        BlobNames.metadata(properties.metadata());
        if (blocks.size() > MAX_COMMITTED_BLOCKS) {
            throw new EnclaveException(ErrorCode.BadRequest,
                    "the block list has " + blocks.size() + " blocks; a blob can have at most " + MAX_COMMITTED_BLOCKS);
        }
        Path dir = existingContainer(account, container);
        String key = BlobNames.key(name);
        Path blobBlocks = dir.resolve(BLOCKS).resolve(key);
        Path temp = dir.resolve(TEMP + UUID.randomUUID());
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                CommittedSnapshot committed = CommittedSnapshot.open(dir.resolve(key))) {
            MessageDigest md5 = md5();
            long size = 0;
            List<Block> written = new ArrayList<>(blocks.size());
            for (BlockRef ref : blocks) {
                Path staged = blobBlocks.resolve(BlobNames.blockFile(ref.id()));
                boolean useStaged = ref.source() != BlockRef.Source.COMMITTED && Files.isRegularFile(staged);
                long length;
                if (useStaged) {
                    try (FileChannel in = FileChannel.open(staged, StandardOpenOption.READ)) {
                        length = copyRange(in, 0, in.size(), out, md5);
                    }
                } else if (ref.source() != BlockRef.Source.UNCOMMITTED && committed.has(ref.id())) {
                    length = committed.copy(ref.id(), out, md5);
                } else {
                    String where = switch (ref.source()) {
                        case COMMITTED -> "committed";
                        case UNCOMMITTED -> "uncommitted";
                        case LATEST -> "committed or uncommitted";
                    };
                    throw new EnclaveException(ErrorCode.BadRequest,
                            "block '" + ref.id() + "' is not among the " + where + " blocks of blob " + name + ": upload it with Put Block first");
                }
                written.add(new Block(ref.id(), length));
                size += length;
            }
            String actualMd5 = Base64.getEncoder().encodeToString(md5.digest());
            checkMd5(properties.contentMd5(), actualMd5, "blob " + name);
            return commit(dir, name, temp, out, size, actualMd5, properties, conditions, written);
        } catch (NoSuchFileException e) {
            throw containerNotFound(account, container);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot commit the block list of " + name + " in " + account + "/" + container, e);
        } finally {
            deleteQuietly(temp);
        }
    }

    /** The blob's committed and uncommitted blocks (the blob itself may not exist yet). */
    public BlockList blockList(String account, String container, String name) {
        BlobNames.blob(name);
        Path dir = existingContainer(account, container);
        String key = BlobNames.key(name);
        Optional<StoredBlobFile> committed = readStored(dir.resolve(key));
        List<Block> uncommitted = new ArrayList<>();
        Path blobBlocks = dir.resolve(BLOCKS).resolve(key);
        for (String id : uncommittedIds(blobBlocks)) {
            try {
                uncommitted.add(new Block(id, Files.size(blobBlocks.resolve(BlobNames.blockFile(id)))));
            } catch (NoSuchFileException e) {
                // committed or deleted meanwhile
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new BlockList(
                committed.map(StoredBlobFile::info),
                committed.map(file -> file.stored().blocks()).orElse(List.of()),
                uncommitted);
    }

    /** Opens a committed blob for reading; empty when there is none of that name. */
    public Optional<BlobContent> open(String account, String container, String name) {
        BlobNames.blob(name);
        Path dir = existingContainer(account, container);
        FileChannel channel;
        try {
            channel = FileChannel.open(dir.resolve(BlobNames.key(name)), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            if (!Files.isDirectory(dir)) {
                throw containerNotFound(account, container);
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            StoredBlobFile file = readTrailer(channel);
            return Optional.of(new BlobContent(channel, file.info()));
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            throw e instanceof IOException io ? new UncheckedIOException("cannot read blob " + name, io) : (RuntimeException) e;
        }
    }

    public Optional<BlobInfo> properties(String account, String container, String name) {
        BlobNames.blob(name);
        Path dir = existingContainer(account, container);
        return readStored(dir.resolve(BlobNames.key(name))).map(StoredBlobFile::info);
    }

    /** Deletes a blob and its uncommitted blocks; returns false when there was none. */
    public boolean delete(String account, String container, String name) {
        return delete(account, container, name, BlobConditions.NONE);
    }

    public boolean delete(String account, String container, String name, BlobConditions conditions) {
        BlobNames.blob(name);
        Path dir = existingContainer(account, container);
        String key = BlobNames.key(name);
        Path file = dir.resolve(key);
        ReentrantLock lock = blobLock(dir, key);
        lock.lock();
        try {
            Optional<BlobInfo> current = readStored(file).map(StoredBlobFile::info);
            if (current.isEmpty()) {
                return false;
            }
            conditions.checkWrite(current, name);
            Files.deleteIfExists(file);
            deleteTree(dir.resolve(BLOCKS).resolve(key));
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete blob " + name + " in " + account + "/" + container, e);
        } finally {
            lock.unlock();
        }
    }

    /** The committed blobs whose names start with {@code prefix}, sorted by name as Azure lists them. */
    public List<BlobInfo> list(String account, String container, String prefix) {
        Path dir = existingContainer(account, container);
        List<BlobInfo> blobs = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String key = entry.getFileName().toString();
                if (key.startsWith(".") || !BlobNames.keyMayMatch(key, prefix)) {
                    continue;
                }
                try {
                    readStored(entry).map(StoredBlobFile::info).filter(blob -> blob.name().startsWith(prefix)).ifPresent(blobs::add);
                } catch (UncheckedIOException e) {
                    log.warn("skipping unreadable blob file {}: {}", entry, e.getMessage());
                }
            }
        } catch (NoSuchFileException e) {
            throw containerNotFound(account, container);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + account + "/" + container, e);
        }
        blobs.sort(Comparator.comparing(BlobInfo::name, BlobNames.ORDER));
        return blobs;
    }

    /**
     * Copies the blobs under a path to {@code targetDir/<name without the prefix>} and returns how many files
     * it wrote. The prefix is a path: {@code models/v1} means the blob {@code models/v1} itself (written as
     * {@code targetDir/v1}) or everything under {@code models/v1/}, never {@code models/v10}. Blobs ending in
     * {@code /} (folder markers) become directories.
     */
    public int downloadPrefix(String account, String container, String prefix, Path targetDir) {
        Path target = targetDir.toAbsolutePath().normalize();
        boolean folder = prefix.isEmpty() || prefix.endsWith("/");
        int count = 0;
        try {
            Files.createDirectories(target);
            for (BlobInfo blob : list(account, container, prefix)) {
                String name = blob.name();
                String relative;
                if (name.equals(prefix) && !folder) {
                    relative = name.substring(name.lastIndexOf('/') + 1);
                } else if (folder || name.startsWith(prefix + "/")) {
                    relative = name.substring(prefix.length()).replaceFirst("^/+", "");
                } else {
                    continue;
                }
                if (relative.isEmpty() || relative.endsWith("/")) {
                    Files.createDirectories(inside(target, relative, name));
                    continue;
                }
                Path file = inside(target, relative, name);
                Optional<BlobContent> content = open(account, container, name);
                if (content.isEmpty()) {
                    continue; // deleted since it was listed
                }
                try (BlobContent open = content.get(); InputStream in = open.stream()) {
                    Files.createDirectories(file.getParent());
                    Path temp = file.resolveSibling(TEMP + UUID.randomUUID());
                    try {
                        Files.copy(in, temp);
                        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    } finally {
                        deleteQuietly(temp);
                    }
                }
                count++;
            }
        } catch (FileAlreadyExistsException | NotDirectoryException e) {
            throw new EnclaveException(ErrorCode.Conflict, "cannot download " + account + "/" + container + "/" + prefix
                    + ": a blob name is both a file and a folder (" + e.getFile() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot download " + account + "/" + container + "/" + prefix + " to " + target, e);
        }
        return count;
    }

    /** Deletes every container and blob of an account (nothing when it has none). */
    public void deleteAccount(String account) {
        Path accountDir = root.resolve(BlobNames.account(account));
        if (!Files.exists(accountDir)) {
            return;
        }
        try {
            Path trash = root.resolve(TRASH + UUID.randomUUID());
            Files.move(accountDir, trash, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(trash);
        } catch (NoSuchFileException e) {
            // deleted concurrently
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the blobs of account " + account, e);
        }
    }

    // ---- internals

    /** Publishes a fully written temp file as the blob, if the conditions hold for the blob it replaces. */
    private BlobInfo commit(Path dir, String name, Path temp, FileChannel out, long size, String md5, BlobProperties properties,
            BlobConditions conditions, List<Block> blocks) throws IOException {
        String key = BlobNames.key(name);
        Path target = dir.resolve(key);
        ReentrantLock lock = blobLock(dir, key);
        lock.lock();
        try {
            Optional<BlobInfo> current = readStored(target).map(StoredBlobFile::info);
            conditions.checkWrite(current, name);
            Instant now = Instant.now();
            StoredBlob stored = new StoredBlob(
                    name,
                    properties.contentType().orElse(null),
                    properties.contentEncoding().orElse(null),
                    properties.contentLanguage().orElse(null),
                    properties.contentDisposition().orElse(null),
                    properties.cacheControl().orElse(null),
                    md5,
                    nextEtag(),
                    now,
                    current.map(BlobInfo::creationTime).orElse(now),
                    properties.metadata(),
                    blocks);
            byte[] trailer = Json.MAPPER.writeValueAsBytes(stored);
            writeFully(out, ByteBuffer.allocate(trailer.length + TAIL).put(trailer).putInt(trailer.length).put(MAGIC).flip());
            out.force(true);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(dir);
            deleteTree(dir.resolve(BLOCKS).resolve(key));
            return stored.info(size);
        } finally {
            lock.unlock();
        }
    }

    /** A blob file's trailer and the length of the content before it. */
    private record StoredBlobFile(StoredBlob stored, long size) {
        BlobInfo info() {
            return stored.info(size);
        }
    }

    private static Optional<StoredBlobFile> readStored(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return Optional.of(readTrailer(channel));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read blob file " + file, e);
        }
    }

    private static StoredBlobFile readTrailer(FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < TAIL) {
            throw new IOException("not a blob file (too short)");
        }
        ByteBuffer tail = ByteBuffer.allocate(TAIL);
        readFully(channel, tail, fileSize - TAIL);
        int length = tail.flip().getInt();
        byte[] magic = new byte[MAGIC.length];
        tail.get(magic);
        if (!Arrays.equals(magic, MAGIC) || length < 0 || length > fileSize - TAIL) {
            throw new IOException("not a blob file (no trailer)");
        }
        ByteBuffer trailer = ByteBuffer.allocate(length);
        long start = fileSize - TAIL - length;
        readFully(channel, trailer, start);
        return new StoredBlobFile(Json.MAPPER.readValue(trailer.array(), StoredBlob.class), start);
    }

    /** The committed blob as it was when a commit started, for blocks the new block list keeps. */
    private static final class CommittedSnapshot implements AutoCloseable {
        private final FileChannel channel;
        private final Map<String, long[]> blocks = new HashMap<>();

        private CommittedSnapshot(FileChannel channel, StoredBlob stored) {
            this.channel = channel;
            long offset = 0;
            for (Block block : stored != null ? stored.blocks() : List.<Block>of()) {
                blocks.putIfAbsent(block.id(), new long[] {offset, block.size()});
                offset += block.size();
            }
        }

        static CommittedSnapshot open(Path file) throws IOException {
            FileChannel channel;
            try {
                channel = FileChannel.open(file, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                return new CommittedSnapshot(null, null);
            }
            try {
                return new CommittedSnapshot(channel, readTrailer(channel).stored());
            } catch (IOException | RuntimeException e) {
                closeQuietly(channel);
                throw e;
            }
        }

        boolean has(String id) {
            return blocks.containsKey(id);
        }

        long copy(String id, FileChannel out, MessageDigest md5) throws IOException {
            long[] range = blocks.get(id);
            return copyRange(channel, range[0], range[1], out, md5);
        }

        @Override
        public void close() throws IOException {
            if (channel != null) {
                channel.close();
            }
        }
    }

    private static List<String> uncommittedIds(Path blobBlocks) {
        try (Stream<Path> files = Files.list(blobBlocks)) {
            return files.map(file -> file.getFileName().toString())
                    .filter(name -> !name.startsWith("."))
                    .map(BlobNames::blockIdOfFile)
                    .sorted()
                    .toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list blocks in " + blobBlocks, e);
        }
    }

    private Path containerDir(String account, String container) {
        return root.resolve(BlobNames.account(account)).resolve(BlobNames.container(container));
    }

    private Path existingContainer(String account, String container) {
        Path dir = containerDir(account, container);
        if (!Files.isDirectory(dir)) {
            throw containerNotFound(account, container);
        }
        return dir;
    }

    private static EnclaveException containerNotFound(String account, String container) {
        return new EnclaveException(ErrorCode.ContainerNotFound,
                "container '" + container + "' does not exist in storage account '" + account + "'; create it first");
    }

    private static Optional<ContainerInfo> readContainer(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        String name = dir.getFileName().toString();
        try {
            StoredContainer stored = Json.MAPPER.readValue(Files.readAllBytes(dir.resolve(CONTAINER_FILE)), StoredContainer.class);
            return Optional.of(new ContainerInfo(name, stored.etag(), stored.lastModified(), stored.metadata()));
        } catch (NoSuchFileException e) {
            return Optional.empty(); // deleted meanwhile
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read container properties in " + dir, e);
        }
    }

    private static void checkMd5(Optional<String> claimed, String actual, String what) {
        if (claimed.isPresent() && !claimed.get().equals(actual)) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "the content of " + what + " has MD5 " + actual
                    + " but the request says " + claimed.get() + ": the upload was damaged or the MD5 is wrong");
        }
    }

    private String nextEtag() {
        long ticks = (System.currentTimeMillis() + FILETIME_OFFSET_MILLIS) * 10_000;
        long value = lastEtag.updateAndGet(previous -> Math.max(previous + 1, ticks));
        return "\"0x" + Long.toHexString(value).toUpperCase(Locale.ROOT) + "\"";
    }

    private ReentrantLock blobLock(Path dir, String key) {
        return blobLocks[Math.floorMod((dir + "/" + key).hashCode(), blobLocks.length)];
    }

    private ReentrantLock containerLock(Path dir) {
        return containerLocks[Math.floorMod(dir.hashCode(), containerLocks.length)];
    }

    private static ReentrantLock[] newLocks(int count) {
        ReentrantLock[] locks = new ReentrantLock[count];
        for (int i = 0; i < count; i++) {
            locks[i] = new ReentrantLock();
        }
        return locks;
    }

    private static long copy(InputStream in, FileChannel out, MessageDigest md5) throws IOException {
        byte[] buffer = new byte[BUFFER];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            md5.update(buffer, 0, n);
            writeFully(out, ByteBuffer.wrap(buffer, 0, n));
            total += n;
        }
        return total;
    }

    private static long copyRange(FileChannel in, long from, long length, FileChannel out, MessageDigest md5) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
        long done = 0;
        while (done < length) {
            buffer.clear().limit((int) Math.min(BUFFER, length - done));
            int n = in.read(buffer, from + done);
            if (n < 0) {
                throw new IOException("block data ended early");
            }
            buffer.flip();
            md5.update(buffer.duplicate());
            writeFully(out, buffer);
            done += n;
        }
        return done;
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    private static void readFully(FileChannel in, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = in.read(buffer, at);
            if (n < 0) {
                throw new IOException("file ended early");
            }
            at += n;
        }
    }

    private static void writeSmallFile(Path file, byte[] bytes) throws IOException {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            writeFully(out, ByteBuffer.wrap(bytes));
            out.force(true);
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Not every platform can sync a directory; the rename itself is still atomic there.
            log.debug("cannot sync directory {}: {}", dir, e.getMessage());
        }
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
    }

    private static Path inside(Path target, String relative, String blobName) {
        Path file = target.resolve(relative).normalize();
        if (!file.startsWith(target)) {
            throw new EnclaveException(ErrorCode.InvalidResourceName, "blob '" + blobName + "' would be written outside " + target);
        }
        return file;
    }

    private void removeLeftovers() {
        int[] removed = {0};
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                    if (!dir.equals(root) && isLeftover(dir)) {
                        deleteTree(dir);
                        removed[0]++;
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    if (isLeftover(file)) {
                        Files.deleteIfExists(file);
                        removed[0]++;
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean the blob directory " + root, e);
        }
        if (removed[0] > 0) {
            log.info("removed {} unfinished blob writes left in {}", removed[0], root);
        }
    }

    private static boolean isLeftover(Path path) {
        String name = path.getFileName().toString();
        return name.startsWith(TEMP) || name.startsWith(TRASH);
    }

    private static void deleteTree(Path top) throws IOException {
        if (!Files.exists(top)) {
            return;
        }
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("cannot remove temp file {}: {}", file, e.getMessage());
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing {} failed: {}", channel, e.getMessage());
        }
    }
}
