package enclave.storage.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BlobStoreTest {
    private static final String ACCOUNT = "acct1";
    private static final String CONTAINER = "models";

    @TempDir
    Path temp;

    private Path root;
    private BlobStore store;

    @BeforeEach
    void setUp() {
        root = temp.resolve("blobs");
        store = new BlobStore(root);
        assertThat(store.createContainer(ACCOUNT, CONTAINER)).isTrue();
    }

    @Test
    void putThenOpenGivesContentAndProperties() throws Exception {
        BlobInfo put = store.put(ACCOUNT, CONTAINER, "a.txt", bytes("hello"),
                BlobProperties.ofContentType("text/plain").withMetadata(Map.of("owner", "team1")));

        assertThat(put.size()).isEqualTo(5);
        assertThat(put.contentMd5()).isEqualTo(md5("hello".getBytes(StandardCharsets.UTF_8)));
        assertThat(put.etag()).matches("\"0x[0-9A-F]+\"");
        try (BlobContent content = store.open(ACCOUNT, CONTAINER, "a.txt").orElseThrow()) {
            assertThat(read(content.stream())).isEqualTo("hello");
            assertThat(read(content.stream(1, 3))).isEqualTo("ell");
            assertThat(read(content.stream(3, 100))).isEqualTo("lo");
            assertThat(content.info()).isEqualTo(put);
            assertThat(content.info().contentType()).isEqualTo("text/plain");
            assertThat(content.info().metadata()).containsExactly(Map.entry("owner", "team1"));
        }
        assertThat(store.open(ACCOUNT, CONTAINER, "missing.txt")).isEmpty();
        assertThat(store.properties(ACCOUNT, CONTAINER, "a.txt")).contains(put);
    }

    @Test
    void emptyBlobsAreBlobs() throws Exception {
        store.put(ACCOUNT, CONTAINER, "empty", bytes(""), BlobProperties.none());

        try (BlobContent content = store.open(ACCOUNT, CONTAINER, "empty").orElseThrow()) {
            assertThat(content.info().size()).isZero();
            assertThat(content.info().contentType()).isEqualTo("application/octet-stream");
            assertThat(read(content.stream())).isEmpty();
        }
    }

    @Test
    void listIsSortedByNameAndFilteredByPrefix() {
        for (String name : List.of("b", "a/2", "a/1", "a-x", "ab", "a/sub/3")) {
            store.put(ACCOUNT, CONTAINER, name, bytes(name), BlobProperties.none());
        }

        assertThat(names(store.list(ACCOUNT, CONTAINER, ""))).containsExactly("a-x", "a/1", "a/2", "a/sub/3", "ab", "b");
        assertThat(names(store.list(ACCOUNT, CONTAINER, "a/"))).containsExactly("a/1", "a/2", "a/sub/3");
        assertThat(names(store.list(ACCOUNT, CONTAINER, "a/s"))).containsExactly("a/sub/3");
        assertThat(names(store.list(ACCOUNT, CONTAINER, "zzz"))).isEmpty();
    }

    @Test
    void namesWithSlashesUnicodeCaseAndOddCharactersRoundTrip() throws Exception {
        List<String> names = List.of(
                "dir/ünïcödé 文件.txt",
                "Upper/Case.TXT",
                "upper/case.txt",
                "%41 literally",
                ".hidden",
                "dir/",
                "emoji/😀.bin",
                "x".repeat(300) + "/" + "long ü".repeat(100),
                "question?hash#and&amp=1+plus");
        for (String name : names) {
            store.put(ACCOUNT, CONTAINER, name, bytes("content of " + name), BlobProperties.none());
        }

        assertThat(names(store.list(ACCOUNT, CONTAINER, ""))).containsExactlyInAnyOrderElementsOf(names);
        for (String name : names) {
            try (BlobContent content = store.open(ACCOUNT, CONTAINER, name).orElseThrow()) {
                assertThat(read(content.stream())).isEqualTo("content of " + name);
            }
        }
        assertThat(names(store.list(ACCOUNT, CONTAINER, "Upper/"))).containsExactly("Upper/Case.TXT");
        assertThat(names(store.list(ACCOUNT, CONTAINER, "x".repeat(300)))).hasSize(1);
        assertThat(names(store.list(ACCOUNT, CONTAINER, "emoji/"))).containsExactly("emoji/😀.bin");
        // every file name stays well inside the 255-byte limit of common file systems
        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.map(file -> file.getFileName().toString().getBytes(StandardCharsets.UTF_8).length)).allMatch(length -> length < 255);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"../escape", "a/../../escape", "/absolute", "a/./b", "..", "a\\..\\..\\escape", "", "bad\u0001char"})
    void blobNamesThatCouldEscapeOrAreInvalidAreRefused(String name) throws IOException {
        assertThatThrownBy(() -> store.put(ACCOUNT, CONTAINER, name, bytes("x"), BlobProperties.none()))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.InvalidResourceName));
        assertThatThrownBy(() -> store.open(ACCOUNT, CONTAINER, name)).isInstanceOf(EnclaveException.class);
        try (Stream<Path> files = Files.list(temp)) {
            assertThat(files).containsExactly(root);
        }
    }

    @Test
    void containerAndAccountNamesThatCouldEscapeAreRefused() {
        for (String container : List.of("..", "../x", "a/b", "UPPER", "ab", "a--b", "-ab")) {
            assertThatThrownBy(() -> store.createContainer(ACCOUNT, container))
                    .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.InvalidResourceName));
        }
        for (String account : List.of("..", "../acct", "Acct1", "a/b")) {
            assertThatThrownBy(() -> store.createContainer(account, "c1")).isInstanceOf(EnclaveException.class);
        }
    }

    @Test
    void overwriteReplacesContentKeepsCreationTimeAndChangesEtag() throws Exception {
        BlobInfo first = store.put(ACCOUNT, CONTAINER, "model.onnx", bytes("version one"), BlobProperties.ofContentType("a/b"));
        BlobInfo second = store.put(ACCOUNT, CONTAINER, "model.onnx", bytes("v2"), BlobProperties.none());

        assertThat(second.etag()).isNotEqualTo(first.etag());
        assertThat(second.creationTime()).isEqualTo(first.creationTime());
        assertThat(second.contentType()).isEqualTo("application/octet-stream");
        try (BlobContent content = store.open(ACCOUNT, CONTAINER, "model.onnx").orElseThrow()) {
            assertThat(read(content.stream())).isEqualTo("v2");
        }
        assertThat(store.list(ACCOUNT, CONTAINER, "")).containsExactly(second);
    }

    @Test
    void anOpenBlobKeepsItsContentWhileItIsOverwritten() throws Exception {
        store.put(ACCOUNT, CONTAINER, "a", bytes("old content"), BlobProperties.none());
        try (BlobContent old = store.open(ACCOUNT, CONTAINER, "a").orElseThrow()) {
            store.put(ACCOUNT, CONTAINER, "a", bytes("new"), BlobProperties.none());
            assertThat(read(old.stream())).isEqualTo("old content");
        }
    }

    @Test
    void conditionalWritesAndDeletes() {
        BlobInfo first = store.put(ACCOUNT, CONTAINER, "a", bytes("1"), BlobProperties.none(), BlobConditions.ifNotExists());

        assertThatThrownBy(() -> store.put(ACCOUNT, CONTAINER, "a", bytes("2"), BlobProperties.none(), BlobConditions.ifNotExists()))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.status()).isEqualTo(409));
        BlobConditions wrongEtag = new BlobConditions(Optional.of("\"0x1\""), Optional.empty(), Optional.empty(), Optional.empty());
        assertThatThrownBy(() -> store.put(ACCOUNT, CONTAINER, "a", bytes("2"), BlobProperties.none(), wrongEtag))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.status()).isEqualTo(412));
        assertThatThrownBy(() -> store.delete(ACCOUNT, CONTAINER, "a", wrongEtag))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.status()).isEqualTo(412));
        BlobConditions rightEtag = new BlobConditions(Optional.of(first.etag()), Optional.empty(), Optional.empty(), Optional.empty());
        BlobInfo second = store.put(ACCOUNT, CONTAINER, "a", bytes("2"), BlobProperties.none(), rightEtag);

        assertThat(second.contentMd5()).isEqualTo(md5("2".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> store.delete(ACCOUNT, CONTAINER, "a", rightEtag))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.status()).isEqualTo(412));
        BlobConditions currentEtag = new BlobConditions(Optional.of(second.etag()), Optional.empty(), Optional.empty(), Optional.empty());
        assertThat(store.delete(ACCOUNT, CONTAINER, "a", currentEtag)).isTrue();
        assertThat(store.delete(ACCOUNT, CONTAINER, "a")).isFalse();
    }

    @Test
    void aWrongMd5RefusesTheWriteAndLeavesNothing() {
        String wrong = md5("something else".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> store.put(ACCOUNT, CONTAINER, "a", bytes("content"), BlobProperties.none().withContentMd5(wrong)))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.InvalidRequestContent));
        assertThat(store.list(ACCOUNT, CONTAINER, "")).isEmpty();
        assertThat(store.put(ACCOUNT, CONTAINER, "a", bytes("content"),
                        BlobProperties.none().withContentMd5(md5("content".getBytes(StandardCharsets.UTF_8))))
                .size()).isEqualTo(7);
    }

    @Test
    void aCrashLeavesNoVisibleHalfWrittenBlobAndStartupCleansUp() throws Exception {
        store.put(ACCOUNT, CONTAINER, "done.bin", bytes("complete"), BlobProperties.none());
        Path containerDir = root.resolve(ACCOUNT).resolve(CONTAINER);
        // What a crash in the middle of writes leaves behind: temp files of a blob (half written, and fully written
        // but not yet renamed), a block and a container, and a half-deleted container.
        Files.writeString(containerDir.resolve(".tmp-4f1c"), "half of a blob");
        store.put(ACCOUNT, CONTAINER, "unpublished.bin", bytes("written, never renamed"), BlobProperties.none());
        Files.move(containerDir.resolve("unpublished.bin"), containerDir.resolve(".tmp-9a2b"));
        Files.createDirectories(containerDir.resolve(".blocks"));
        Files.writeString(containerDir.resolve(".blocks").resolve(".tmp-77"), "half of a block");
        Files.createDirectories(root.resolve(ACCOUNT).resolve(".tmp-container"));
        Files.createDirectories(root.resolve(ACCOUNT).resolve(".trash-old").resolve("x"));
        Files.writeString(root.resolve(ACCOUNT).resolve(".trash-old").resolve("x").resolve("blob"), "deleted");

        assertThat(names(store.list(ACCOUNT, CONTAINER, ""))).containsExactly("done.bin");
        assertThat(store.listContainers(ACCOUNT, "")).extracting(ContainerInfo::name).containsExactly(CONTAINER);

        BlobStore restarted = new BlobStore(root);

        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.map(file -> file.getFileName().toString())).noneMatch(name -> name.startsWith(".tmp-") || name.startsWith(".trash-"));
        }
        try (BlobContent content = restarted.open(ACCOUNT, CONTAINER, "done.bin").orElseThrow()) {
            assertThat(read(content.stream())).isEqualTo("complete");
        }
    }

    @Test
    void aFileThatIsNotABlobIsSkippedInListings() throws Exception {
        store.put(ACCOUNT, CONTAINER, "good", bytes("x"), BlobProperties.none());
        Files.writeString(root.resolve(ACCOUNT).resolve(CONTAINER).resolve("stray"), "not written by the store");

        assertThat(names(store.list(ACCOUNT, CONTAINER, ""))).containsExactly("good");
        assertThatThrownBy(() -> store.open(ACCOUNT, CONTAINER, "stray")).isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void blocksAreInvisibleUntilCommittedAndCommitsCanReuseCommittedBlocks() throws Exception {
        String a = blockId(1);
        String b = blockId(2);
        String c = blockId(3);
        store.putBlock(ACCOUNT, CONTAINER, "big", a, bytes("AAA"), Optional.empty());
        store.putBlock(ACCOUNT, CONTAINER, "big", b, bytes("BB"), Optional.of(md5("BB".getBytes(StandardCharsets.UTF_8))));

        assertThat(store.list(ACCOUNT, CONTAINER, "")).isEmpty();
        assertThat(store.open(ACCOUNT, CONTAINER, "big")).isEmpty();
        assertThat(store.blockList(ACCOUNT, CONTAINER, "big").uncommitted()).containsExactlyInAnyOrder(new Block(a, 3), new Block(b, 2));

        BlobInfo committed = store.commitBlockList(ACCOUNT, CONTAINER, "big",
                List.of(new BlockRef(b, BlockRef.Source.LATEST), new BlockRef(a, BlockRef.Source.UNCOMMITTED)),
                BlobProperties.ofContentType("application/x-thing"), BlobConditions.NONE);

        assertThat(committed.size()).isEqualTo(5);
        assertThat(committed.contentMd5()).isEqualTo(md5("BBAAA".getBytes(StandardCharsets.UTF_8)));
        assertThat(content("big")).isEqualTo("BBAAA");
        BlockList afterFirst = store.blockList(ACCOUNT, CONTAINER, "big");
        assertThat(afterFirst.committed()).containsExactly(new Block(b, 2), new Block(a, 3));
        assertThat(afterFirst.uncommitted()).isEmpty();

        store.putBlock(ACCOUNT, CONTAINER, "big", c, bytes("C"), Optional.empty());
        store.commitBlockList(ACCOUNT, CONTAINER, "big",
                List.of(new BlockRef(a, BlockRef.Source.COMMITTED), new BlockRef(c, BlockRef.Source.LATEST), new BlockRef(a, BlockRef.Source.LATEST)),
                BlobProperties.none(), BlobConditions.NONE);

        assertThat(content("big")).isEqualTo("AAACAAA");
    }

    @Test
    void badBlockListsAndBlockIdsAreRefused() {
        String a = blockId(1);
        store.putBlock(ACCOUNT, CONTAINER, "big", a, bytes("AAA"), Optional.empty());

        assertThatThrownBy(() -> store.commitBlockList(ACCOUNT, CONTAINER, "big",
                        List.of(new BlockRef(blockId(9), BlockRef.Source.LATEST)), BlobProperties.none(), BlobConditions.NONE))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BadRequest))
                .hasMessageContaining("is not among");
        assertThatThrownBy(() -> store.commitBlockList(ACCOUNT, CONTAINER, "big",
                        List.of(new BlockRef(a, BlockRef.Source.COMMITTED)), BlobProperties.none(), BlobConditions.NONE))
                .isInstanceOf(EnclaveException.class);
        String otherLength = Base64.getEncoder().encodeToString("a much longer block id".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> store.putBlock(ACCOUNT, CONTAINER, "big", otherLength, bytes("x"), Optional.empty()))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BadRequest))
                .hasMessageContaining("one length");
        assertThatThrownBy(() -> store.putBlock(ACCOUNT, CONTAINER, "big", "not base64!", bytes("x"), Optional.empty()))
                .isInstanceOf(EnclaveException.class);
        assertThat(store.list(ACCOUNT, CONTAINER, "")).isEmpty();
    }

    @Test
    void containersAreCreatedOnceListedAndDeletedWithTheirBlobs() {
        assertThat(store.createContainer(ACCOUNT, CONTAINER)).isFalse();
        assertThat(store.createContainer(ACCOUNT, "code", Map.of("purpose", "scripts"))).isTrue();
        store.put(ACCOUNT, "code", "score.py", bytes("def run(x): return x"), BlobProperties.none());

        assertThat(store.listContainers(ACCOUNT, "")).extracting(ContainerInfo::name).containsExactly("code", CONTAINER);
        assertThat(store.listContainers(ACCOUNT, "co")).extracting(ContainerInfo::name).containsExactly("code");
        assertThat(store.container(ACCOUNT, "code").orElseThrow().metadata()).containsEntry("purpose", "scripts");
        assertThat(store.listContainers("otheracct", "")).isEmpty();

        assertThat(store.deleteContainer(ACCOUNT, "code")).isTrue();
        assertThat(store.deleteContainer(ACCOUNT, "code")).isFalse();
        assertThat(store.containerExists(ACCOUNT, "code")).isFalse();
        assertThatThrownBy(() -> store.list(ACCOUNT, "code", ""))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ContainerNotFound));
        assertThatThrownBy(() -> store.put(ACCOUNT, "code", "score.py", bytes("x"), BlobProperties.none()))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ContainerNotFound));
        // a new container of the same name starts empty
        assertThat(store.createContainer(ACCOUNT, "code")).isTrue();
        assertThat(store.list(ACCOUNT, "code", "")).isEmpty();
    }

    @Test
    void downloadPrefixCopiesTheBlobsUnderAPath() throws Exception {
        store.put(ACCOUNT, CONTAINER, "models/v1/model.onnx", bytes("weights"), BlobProperties.none());
        store.put(ACCOUNT, CONTAINER, "models/v1/sub/labels.txt", bytes("cat\ndog"), BlobProperties.none());
        store.put(ACCOUNT, CONTAINER, "models/v1/empty/", bytes(""), BlobProperties.none());
        store.put(ACCOUNT, CONTAINER, "models/v10/other.onnx", bytes("not this one"), BlobProperties.none());

        Path target = temp.resolve("work").resolve("model");
        int count = store.downloadPrefix(ACCOUNT, CONTAINER, "models/v1", target);

        assertThat(count).isEqualTo(2);
        assertThat(target.resolve("model.onnx")).hasContent("weights");
        assertThat(target.resolve("sub/labels.txt")).hasContent("cat\ndog");
        assertThat(target.resolve("empty")).isDirectory();
        assertThat(target.resolveSibling("other.onnx")).doesNotExist();
        try (Stream<Path> files = Files.walk(target)) {
            assertThat(files.filter(Files::isRegularFile)).hasSize(2);
        }

        Path single = temp.resolve("single");
        assertThat(store.downloadPrefix(ACCOUNT, CONTAINER, "models/v1/model.onnx", single)).isEqualTo(1);
        assertThat(single.resolve("model.onnx")).hasContent("weights");

        Path withSlash = temp.resolve("slash");
        assertThat(store.downloadPrefix(ACCOUNT, CONTAINER, "models/", withSlash)).isEqualTo(3);
        assertThat(withSlash.resolve("v10/other.onnx")).hasContent("not this one");

        assertThat(store.downloadPrefix(ACCOUNT, CONTAINER, "nothing/here", temp.resolve("none"))).isZero();
        assertThatThrownBy(() -> store.downloadPrefix(ACCOUNT, "nocontainer", "x", temp.resolve("none")))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ContainerNotFound));
    }

    @Test
    void deleteAccountRemovesAllItsData() {
        store.put(ACCOUNT, CONTAINER, "a", bytes("1"), BlobProperties.none());
        store.createContainer("acct2", CONTAINER);
        store.put("acct2", CONTAINER, "a", bytes("2"), BlobProperties.none());

        store.deleteAccount(ACCOUNT);
        store.deleteAccount("neverexisted");

        assertThat(store.listContainers(ACCOUNT, "")).isEmpty();
        assertThat(Files.exists(root.resolve(ACCOUNT))).isFalse();
        assertThat(names(store.list("acct2", CONTAINER, ""))).containsExactly("a");
    }

    private String content(String name) throws IOException {
        try (BlobContent content = store.open(ACCOUNT, CONTAINER, name).orElseThrow()) {
            return read(content.stream());
        }
    }

    private static String blockId(int n) {
        return Base64.getEncoder().encodeToString(String.format("block-%06d", n).getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> names(List<BlobInfo> blobs) {
        return blobs.stream().map(BlobInfo::name).toList();
    }

    private static InputStream bytes(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String read(InputStream in) throws IOException {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String md5(byte[] bytes) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
