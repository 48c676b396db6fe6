package enclave.storage.blob;

import static org.assertj.core.api.Assertions.assertThat;

import enclave.core.ResourceId;
import enclave.storage.account.StorageAccount;
import enclave.storage.account.StorageAccounts;
import enclave.store.Database;
import enclave.store.JdbcResourceStore;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import javax.xml.parsers.DocumentBuilderFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The Blob REST API over real HTTP, behind a stand-in for the gateway that resolves {@code /{account}/...}. */
class BlobApiTest {
    private static final String ACCOUNT = "blobapi1";

    @TempDir
    static Path temp;

    private static Database database;
    private static Server server;
    private static String base;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        database = Database.open(temp.resolve("db"));
        BlobStore blobs = new BlobStore(temp.resolve("blobs"));
        server = new Server();
        HttpConfiguration configuration = new HttpConfiguration();
        configuration.setUriCompliance(BlobApi.URI_COMPLIANCE);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(configuration));
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        Gateway gateway = new Gateway();
        server.setHandler(gateway);
        server.start();
        // the blob endpoint names the port, known only once the server listens
        base = "http://127.0.0.1:" + connector.getLocalPort();
        StorageAccounts accounts = new StorageAccounts(new JdbcResourceStore(database.dataSource()), blobs, base + "/");
        accounts.create(StorageAccounts.id("sub1", "rg1", ACCOUNT), "local", Map.of());
        gateway.serve(accounts, new BlobApi(blobs, accounts));
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
        database.close();
    }

    @Test
    void createContainerThenItAlreadyExists() throws Exception {
        HttpResponse<byte[]> created = send("PUT", "/c-create?restype=container", null, Map.of("x-ms-version", "2021-08-06"));

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(header(created, "ETag")).startsWith("\"0x");
        assertThat(header(created, "Last-Modified")).endsWith(" GMT");
        assertThat(header(created, "x-ms-request-id")).isNotBlank();
        assertThat(header(created, "x-ms-version")).isEqualTo("2021-08-06");
        assertThat(header(created, "Date")).endsWith(" GMT");

        HttpResponse<byte[]> again = send("PUT", "/c-create?restype=container", null, Map.of());
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(header(again, "x-ms-error-code")).isEqualTo("ContainerAlreadyExists");
        assertThat(header(again, "Content-Type")).startsWith("application/xml");
        Element error = xml(again).getDocumentElement();
        assertThat(error.getTagName()).isEqualTo("Error");
        assertThat(text(error, "Code")).isEqualTo("ContainerAlreadyExists");
        assertThat(text(error, "Message"))
                .startsWith("The specified container already exists.")
                .contains("\nRequestId:" + header(again, "x-ms-request-id"))
                .containsPattern("\nTime:\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{7}Z$");

        HttpResponse<byte[]> properties = send("HEAD", "/c-create?restype=container", null, Map.of());
        assertThat(properties.statusCode()).isEqualTo(200);
        assertThat(header(properties, "ETag")).isEqualTo(header(created, "ETag"));
        assertThat(send("DELETE", "/c-create?restype=container", null, Map.of()).statusCode()).isEqualTo(202);
        HttpResponse<byte[]> gone = send("GET", "/c-create?restype=container", null, Map.of());
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(header(gone, "x-ms-error-code")).isEqualTo("ContainerNotFound");
    }

    @Test
    void putGetHeadDeleteBlob() throws Exception {
        container("c-blob");
        byte[] content = "hello, blob".getBytes(StandardCharsets.UTF_8);

        HttpResponse<byte[]> put = send("PUT", "/c-blob/dir/hello.txt", content, Map.of(
                "x-ms-blob-type", "BlockBlob",
                "x-ms-blob-content-type", "text/plain",
                "x-ms-meta-owner", "team1",
                "x-ms-client-request-id", "client-1"));
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(header(put, "Content-MD5")).isEqualTo(BlobStoreTest.md5(content));
        assertThat(header(put, "x-ms-client-request-id")).isEqualTo("client-1");
        String etag = header(put, "ETag");

        HttpResponse<byte[]> get = send("GET", "/c-blob/dir/hello.txt", null, Map.of());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo(content);
        assertThat(header(get, "Content-Type")).isEqualTo("text/plain");
        assertThat(header(get, "Content-Length")).isEqualTo(Integer.toString(content.length));
        assertThat(header(get, "Content-MD5")).isEqualTo(BlobStoreTest.md5(content));
        assertThat(header(get, "ETag")).isEqualTo(etag);
        assertThat(header(get, "Last-Modified")).endsWith(" GMT");
        assertThat(header(get, "x-ms-blob-type")).isEqualTo("BlockBlob");
        assertThat(header(get, "x-ms-meta-owner")).isEqualTo("team1");

        HttpResponse<byte[]> head = send("HEAD", "/c-blob/dir/hello.txt", null, Map.of());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(header(head, "Content-Length")).isEqualTo(Integer.toString(content.length));
        assertThat(header(head, "ETag")).isEqualTo(etag);

        assertThat(send("DELETE", "/c-blob/dir/hello.txt", null, Map.of()).statusCode()).isEqualTo(202);
        HttpResponse<byte[]> missing = send("GET", "/c-blob/dir/hello.txt", null, Map.of());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(header(missing, "x-ms-error-code")).isEqualTo("BlobNotFound");
        assertThat(text(xml(missing).getDocumentElement(), "Code")).isEqualTo("BlobNotFound");
        HttpResponse<byte[]> headMissing = send("HEAD", "/c-blob/dir/hello.txt", null, Map.of());
        assertThat(headMissing.statusCode()).isEqualTo(404);
        assertThat(header(headMissing, "x-ms-error-code")).isEqualTo("BlobNotFound");
        assertThat(headMissing.body()).isEmpty();
        assertThat(send("DELETE", "/c-blob/dir/hello.txt", null, Map.of()).statusCode()).isEqualTo(404);
    }

    @Test
    void rangeReads() throws Exception {
        container("c-range");
        put("/c-range/digits", "0123456789".getBytes(StandardCharsets.UTF_8));

        HttpResponse<byte[]> middle = send("GET", "/c-range/digits", null, Map.of("x-ms-range", "bytes=2-5"));
        assertThat(middle.statusCode()).isEqualTo(206);
        assertThat(new String(middle.body(), StandardCharsets.UTF_8)).isEqualTo("2345");
        assertThat(header(middle, "Content-Range")).isEqualTo("bytes 2-5/10");
        assertThat(header(middle, "Content-Length")).isEqualTo("4");
        assertThat(header(middle, "x-ms-blob-content-md5")).isEqualTo(BlobStoreTest.md5("0123456789".getBytes(StandardCharsets.UTF_8)));

        HttpResponse<byte[]> tail = send("GET", "/c-range/digits", null, Map.of("Range", "bytes=7-"));
        assertThat(tail.statusCode()).isEqualTo(206);
        assertThat(new String(tail.body(), StandardCharsets.UTF_8)).isEqualTo("789");
        assertThat(header(tail, "Content-Range")).isEqualTo("bytes 7-9/10");

        HttpResponse<byte[]> pastEnd = send("GET", "/c-range/digits", null, Map.of("x-ms-range", "bytes=8-100000", "x-ms-range-get-content-md5", "true"));
        assertThat(new String(pastEnd.body(), StandardCharsets.UTF_8)).isEqualTo("89");
        assertThat(header(pastEnd, "Content-MD5")).isEqualTo(BlobStoreTest.md5("89".getBytes(StandardCharsets.UTF_8)));

        HttpResponse<byte[]> outside = send("GET", "/c-range/digits", null, Map.of("x-ms-range", "bytes=10-20"));
        assertThat(outside.statusCode()).isEqualTo(416);
        assertThat(header(outside, "x-ms-error-code")).isEqualTo("InvalidRange");
        assertThat(header(outside, "Content-Range")).isEqualTo("bytes */10");

        HttpResponse<byte[]> malformed = send("GET", "/c-range/digits", null, Map.of("x-ms-range", "bytes=abc"));
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(header(malformed, "x-ms-error-code")).isEqualTo("InvalidHeaderValue");
    }

    @Test
    void largeBlobUploadedInBlocks() throws Exception {
        container("c-blocks");
        byte[] data = new byte[5 * 1024 * 1024 + 12345];
        new Random(42).nextBytes(data);
        int blockSize = 1024 * 1024;
        List<String> ids = new ArrayList<>();
        for (int offset = 0, n = 0; offset < data.length; offset += blockSize, n++) {
            String id = Base64.getEncoder().encodeToString(String.format("block-%08d", n).getBytes(StandardCharsets.UTF_8));
            byte[] block = java.util.Arrays.copyOfRange(data, offset, Math.min(data.length, offset + blockSize));
            HttpResponse<byte[]> staged = send("PUT", "/c-blocks/model.bin?comp=block&blockid=" + URLEncoder.encode(id, StandardCharsets.UTF_8),
                    block, Map.of("Content-MD5", BlobStoreTest.md5(block)));
            assertThat(staged.statusCode()).isEqualTo(201);
            assertThat(header(staged, "Content-MD5")).isEqualTo(BlobStoreTest.md5(block));
            ids.add(id);
        }
        assertThat(ids).hasSize(6);
        assertThat(send("GET", "/c-blocks/model.bin", null, Map.of()).statusCode()).isEqualTo(404);
        HttpResponse<byte[]> staged = send("GET", "/c-blocks/model.bin?comp=blocklist&blocklisttype=all", null, Map.of());
        assertThat(staged.statusCode()).isEqualTo(200);
        assertThat(xml(staged).getElementsByTagName("UncommittedBlocks").item(0).getChildNodes().getLength()).isEqualTo(6);

        StringBuilder blockList = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
        ids.forEach(id -> blockList.append("<Latest>").append(id).append("</Latest>"));
        blockList.append("</BlockList>");
        HttpResponse<byte[]> committed = send("PUT", "/c-blocks/model.bin?comp=blocklist",
                blockList.toString().getBytes(StandardCharsets.UTF_8), Map.of("x-ms-blob-content-type", "application/octet-stream"));
        assertThat(committed.statusCode()).isEqualTo(201);
        assertThat(header(committed, "ETag")).startsWith("\"0x");

        HttpResponse<byte[]> get = send("GET", "/c-blocks/model.bin", null, Map.of());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo(data);
        assertThat(header(get, "Content-MD5")).isEqualTo(BlobStoreTest.md5(data));
        HttpResponse<byte[]> list = send("GET", "/c-blocks/model.bin?comp=blocklist", null, Map.of());
        NodeList committedBlocks = xml(list).getElementsByTagName("Block");
        assertThat(committedBlocks.getLength()).isEqualTo(6);
        assertThat(text((Element) committedBlocks.item(5), "Size")).isEqualTo("12345");

        HttpResponse<byte[]> unknownBlock = send("PUT", "/c-blocks/other.bin?comp=blocklist",
                "<BlockList><Uncommitted>bm9wZQ==</Uncommitted></BlockList>".getBytes(StandardCharsets.UTF_8), Map.of());
        assertThat(unknownBlock.statusCode()).isEqualTo(400);
        assertThat(header(unknownBlock, "x-ms-error-code")).isEqualTo("InvalidBlockList");
        HttpResponse<byte[]> notXml = send("PUT", "/c-blocks/other.bin?comp=blocklist", "nope".getBytes(StandardCharsets.UTF_8), Map.of());
        assertThat(header(notXml, "x-ms-error-code")).isEqualTo("InvalidXmlDocument");
        HttpResponse<byte[]> badId = send("PUT", "/c-blocks/other.bin?comp=block&blockid=not-base64!", new byte[] {1}, Map.of());
        assertThat(header(badId, "x-ms-error-code")).isEqualTo("InvalidBlockId");
    }

    @Test
    void listBlobsWithPrefixDelimiterAndPaging() throws Exception {
        container("c-list");
        for (String name : List.of("models/a.onnx", "models/v1/x.bin", "models/v1/y.bin", "models/v2/z.bin", "readme.md", "other/q.txt")) {
            put("/c-list/" + name, name.getBytes(StandardCharsets.UTF_8));
        }

        Document folders = xml(send("GET", "/c-list?restype=container&comp=list&prefix=models/&delimiter=/", null, Map.of()));
        Element root = folders.getDocumentElement();
        assertThat(root.getTagName()).isEqualTo("EnumerationResults");
        assertThat(root.getAttribute("ServiceEndpoint")).isEqualTo(base + "/" + ACCOUNT + "/");
        assertThat(root.getAttribute("ContainerName")).isEqualTo("c-list");
        assertThat(text(root, "Prefix")).isEqualTo("models/");
        assertThat(text(root, "Delimiter")).isEqualTo("/");
        assertThat(names(folders, "Blob")).containsExactly("models/a.onnx");
        assertThat(names(folders, "BlobPrefix")).containsExactly("models/v1/", "models/v2/");
        Element properties = (Element) ((Element) folders.getElementsByTagName("Blob").item(0)).getElementsByTagName("Properties").item(0);
        assertThat(text(properties, "Content-Length")).isEqualTo(Integer.toString("models/a.onnx".length()));
        assertThat(text(properties, "BlobType")).isEqualTo("BlockBlob");
        assertThat(text(properties, "Content-MD5")).isEqualTo(BlobStoreTest.md5("models/a.onnx".getBytes(StandardCharsets.UTF_8)));
        assertThat(text(properties, "Etag")).startsWith("\"0x");
        assertThat(text(properties, "Last-Modified")).endsWith(" GMT");
        assertThat(text(properties, "Content-Type")).isEqualTo("application/octet-stream");

        Document top = xml(send("GET", "/c-list?restype=container&comp=list&delimiter=/", null, Map.of()));
        assertThat(names(top, "BlobPrefix")).containsExactly("models/", "other/");
        assertThat(names(top, "Blob")).containsExactly("readme.md");

        Document firstPage = xml(send("GET", "/c-list?restype=container&comp=list&maxresults=4", null, Map.of()));
        assertThat(names(firstPage, "Blob")).containsExactly("models/a.onnx", "models/v1/x.bin", "models/v1/y.bin", "models/v2/z.bin");
        String marker = text(firstPage.getDocumentElement(), "NextMarker");
        assertThat(marker).isNotEmpty();
        Document secondPage = xml(send("GET", "/c-list?restype=container&comp=list&maxresults=4&marker="
                + URLEncoder.encode(marker, StandardCharsets.UTF_8), null, Map.of()));
        assertThat(names(secondPage, "Blob")).containsExactly("other/q.txt", "readme.md");
        assertThat(text(secondPage.getDocumentElement(), "NextMarker")).isEmpty();

        HttpResponse<byte[]> badMax = send("GET", "/c-list?restype=container&comp=list&maxresults=0", null, Map.of());
        assertThat(badMax.statusCode()).isEqualTo(400);
        assertThat(header(badMax, "x-ms-error-code")).isEqualTo("InvalidQueryParameterValue");
    }

    @Test
    void listContainers() throws Exception {
        container("lc-one");
        container("lc-two");

        Document listing = xml(send("GET", "?comp=list&prefix=lc-", null, Map.of()));

        assertThat(listing.getDocumentElement().getAttribute("ServiceEndpoint")).isEqualTo(base + "/" + ACCOUNT + "/");
        assertThat(names(listing, "Container")).containsExactly("lc-one", "lc-two");
        Document paged = xml(send("GET", "?comp=list&prefix=lc-&maxresults=1", null, Map.of()));
        assertThat(names(paged, "Container")).containsExactly("lc-one");
        assertThat(text(paged.getDocumentElement(), "NextMarker")).isEqualTo("lc-two");
    }

    @Test
    void unicodeAndSpecialBlobNamesRoundTrip() throws Exception {
        container("c-names");
        String name = "dir/ünïcödé 文件 (1)+%.txt";

        HttpResponse<byte[]> put = send("PUT", "/c-names/" + encodePath(name), "x".getBytes(StandardCharsets.UTF_8), Map.of("x-ms-blob-type", "BlockBlob"));
        assertThat(put.statusCode()).isEqualTo(201);
        put("/c-names/empty//segment", new byte[] {2});
        put("/c-names/encoded%2Fslash", new byte[] {3});

        assertThat(send("GET", "/c-names/" + encodePath(name), null, Map.of()).body()).isEqualTo("x".getBytes(StandardCharsets.UTF_8));
        assertThat(send("GET", "/c-names/encoded/slash", null, Map.of()).body()).containsExactly(3);
        assertThat(names(xml(send("GET", "/c-names?restype=container&comp=list", null, Map.of())), "Blob"))
                .containsExactly(name, "empty//segment", "encoded/slash");
    }

    @Test
    void conditionalRequests() throws Exception {
        container("c-cond");
        String etag = header(put("/c-cond/a", new byte[] {1}), "ETag");

        HttpResponse<byte[]> exists = send("PUT", "/c-cond/a", new byte[] {2}, Map.of("x-ms-blob-type", "BlockBlob", "If-None-Match", "*"));
        assertThat(exists.statusCode()).isEqualTo(409);
        assertThat(header(exists, "x-ms-error-code")).isEqualTo("BlobAlreadyExists");
        HttpResponse<byte[]> stale = send("PUT", "/c-cond/a", new byte[] {2}, Map.of("x-ms-blob-type", "BlockBlob", "If-Match", "\"0x1\""));
        assertThat(stale.statusCode()).isEqualTo(412);
        assertThat(header(stale, "x-ms-error-code")).isEqualTo("ConditionNotMet");
        HttpResponse<byte[]> notModified = send("GET", "/c-cond/a", null, Map.of("If-None-Match", etag));
        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(send("GET", "/c-cond/a", null, Map.of("If-Match", etag)).body()).containsExactly(1);
        assertThat(send("PUT", "/c-cond/a", new byte[] {3}, Map.of("x-ms-blob-type", "BlockBlob", "If-Match", etag)).statusCode()).isEqualTo(201);
        assertThat(send("GET", "/c-cond/a", null, Map.of("If-Match", etag)).statusCode()).isEqualTo(412);
    }

    @Test
    void refusalsUseAzureCodes() throws Exception {
        container("c-refuse");

        assertThat(errorCode(send("PUT", "/nocontainer/a.txt", new byte[] {1}, Map.of("x-ms-blob-type", "BlockBlob")))).isEqualTo("ContainerNotFound");
        assertThat(errorCode(send("GET", "/nocontainer/a.txt", null, Map.of()))).isEqualTo("ContainerNotFound");
        assertThat(errorCode(send("GET", "/nocontainer?restype=container&comp=list", null, Map.of()))).isEqualTo("ContainerNotFound");
        assertThat(errorCode(send("PUT", "/c-refuse/a.txt", new byte[] {1}, Map.of()))).isEqualTo("MissingRequiredHeader");
        assertThat(errorCode(send("PUT", "/c-refuse/a.txt", new byte[] {1}, Map.of("x-ms-blob-type", "PageBlob")))).isEqualTo("InvalidHeaderValue");
        HttpResponse<byte[]> wrongMd5 = send("PUT", "/c-refuse/a.txt", new byte[] {1},
                Map.of("x-ms-blob-type", "BlockBlob", "Content-MD5", BlobStoreTest.md5(new byte[] {2})));
        assertThat(wrongMd5.statusCode()).isEqualTo(400);
        assertThat(errorCode(wrongMd5)).isEqualTo("Md5Mismatch");
        HttpResponse<byte[]> verb = send("POST", "/c-refuse/a.txt", new byte[] {1}, Map.of());
        assertThat(verb.statusCode()).isEqualTo(405);
        assertThat(errorCode(verb)).isEqualTo("UnsupportedHttpVerb");
        assertThat(errorCode(send("GET", "/c-refuse?restype=container&comp=acl", null, Map.of()))).isEqualTo("InvalidQueryParameterValue");
        assertThat(errorCode(send("PUT", "/c-refuse?restype=container&comp=metadata", null, Map.of()))).isEqualTo("InvalidQueryParameterValue");
        HttpResponse<byte[]> badName = send("PUT", "/Bad_Container?restype=container", null, Map.of());
        assertThat(badName.statusCode()).isEqualTo(400);
        assertThat(errorCode(badName)).isEqualTo("InvalidResourceName");
        HttpResponse<byte[]> climbing = send("PUT", "/c-refuse/a/%2E%2E/%2E%2E/%2E%2E/escape", new byte[] {1}, Map.of("x-ms-blob-type", "BlockBlob"));
        assertThat(climbing.statusCode()).isEqualTo(400);
        assertThat(errorCode(send("PUT", "/c-refuse/a.txt", new byte[] {1}, Map.of("x-ms-blob-type", "BlockBlob", "x-ms-meta-1bad", "x"))))
                .isEqualTo("InvalidMetadata");
        assertThat(errorCode(send("PUT", "/c-public?restype=container", null, Map.of("x-ms-blob-public-access", "blob"))))
                .isEqualTo("PublicAccessNotPermitted");
        assertThat(names(xml(send("GET", "/c-refuse?restype=container&comp=list", null, Map.of())), "Blob")).isEmpty();
    }

    @Test
    void sendErrorWritesAzuresErrorShape() throws Exception {
        HttpResponse<byte[]> refused = send("GET", "/c-any/blob?deny=true", null, Map.of());

        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(header(refused, "x-ms-error-code")).isEqualTo("AuthorizationPermissionMismatch");
        assertThat(header(refused, "x-ms-request-id")).isNotBlank();
        Element error = xml(refused).getDocumentElement();
        assertThat(text(error, "Code")).isEqualTo("AuthorizationPermissionMismatch");
        assertThat(text(error, "Message")).startsWith("This request is not authorized");
    }

    @Test
    void classifyNamesTheOperationAndItsAction() {
        org.eclipse.jetty.util.Fields listQuery = new org.eclipse.jetty.util.Fields();
        listQuery.add("restype", "container");
        listQuery.add("comp", "list");

        BlobRequest list = BlobRequest.classify("GET", "/cc1", listQuery).orElseThrow();
        BlobRequest read = BlobRequest.classify("GET", "/cc1/dir/a%20b.txt", new org.eclipse.jetty.util.Fields()).orElseThrow();
        StorageAccount account = new StorageAccount(StorageAccounts.id("s", "g", "acct1").toString(), "acct1", "local", Map.of(),
                "Enabled", java.time.Instant.EPOCH);

        assertThat(list.operation()).isEqualTo(BlobOperation.LIST_BLOBS);
        assertThat(list.operation().action()).isEqualTo("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read");
        assertThat(list.operation().dataAction()).isTrue();
        assertThat(read.blob()).contains("dir/a b.txt");
        assertThat(read.scope(account)).isEqualTo(
                "/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/acct1/blobServices/default/containers/cc1");
        assertThat(ResourceId.parse(read.scope(account)).name()).isEqualTo("cc1");
        assertThat(BlobRequest.classify("PUT", "/cc1", listQuery)).isEmpty();
        assertThat(BlobRequest.classify("POST", "/cc1/x", new org.eclipse.jetty.util.Fields())).isEmpty();
        assertThat(BlobRequest.classify("PUT", "/cc1/a/../../x", new org.eclipse.jetty.util.Fields())).isEmpty();
    }

    @Test
    void refusedUploadsStillGetTheirAnswerAndLeaveTheConnectionUsable() throws Exception {
        container("c-reuse");
        // Each of these is refused before its body is read; a server that closes on unread bytes resets some of
        // these connections under the answer, or lets the next request run into a closing connection.
        for (int i = 0; i < 100; i++) {
            assertThat(send("POST", "/c-reuse/a.txt", new byte[] {1, 2, 3}, Map.of()).statusCode()).isEqualTo(405);
            assertThat(send("PUT", "/nocontainer/a.txt", new byte[] {1, 2, 3}, Map.of("x-ms-blob-type", "BlockBlob")).statusCode()).isEqualTo(404);
            assertThat(send("PUT", "/c-reuse/a.txt?deny=true", new byte[] {1, 2, 3}, Map.of("x-ms-blob-type", "BlockBlob")).statusCode())
                    .isEqualTo(403);
            assertThat(send("GET", "/c-reuse?restype=container", null, Map.of()).statusCode()).isEqualTo(200);
        }
    }

    // ---- helpers

    private static void container(String name) throws Exception {
        assertThat(send("PUT", "/" + name + "?restype=container", null, Map.of()).statusCode()).isEqualTo(201);
    }

    private static HttpResponse<byte[]> put(String path, byte[] content) throws Exception {
        HttpResponse<byte[]> response = send("PUT", path, content, Map.of("x-ms-blob-type", "BlockBlob"));
        assertThat(response.statusCode()).isEqualTo(201);
        return response;
    }

    private static HttpResponse<byte[]> send(String method, String pathAndQuery, byte[] body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/" + ACCOUNT + pathAndQuery))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    private static String errorCode(HttpResponse<byte[]> response) throws Exception {
        String header = header(response, "x-ms-error-code");
        assertThat(text(xml(response).getDocumentElement(), "Code")).isEqualTo(header);
        return header;
    }

    private static Document xml(HttpResponse<byte[]> response) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(response.body()));
    }

    private static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent();
    }

    /** The Name of each element {@code tag}, in document order. */
    private static List<String> names(Document document, String tag) {
        NodeList nodes = document.getElementsByTagName(tag);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            names.add(text((Element) nodes.item(i), "Name"));
        }
        return names;
    }

    private static String encodePath(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/");
    }

    /** What the gateway does before the blob service: find the account from the first segment (and, here, refuse on demand). */
    private static final class Gateway extends Handler.Abstract {
        private volatile StorageAccounts accounts;
        private volatile BlobApi api;

        void serve(StorageAccounts accounts, BlobApi api) {
            this.accounts = accounts;
            this.api = api;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String requestId = UUID.randomUUID().toString();
            String path = request.getHttpURI().getPath();
            String account = path.length() > 1 ? path.substring(1).split("/", 2)[0] : "";
            Optional<StorageAccount> found = accounts.findByName(account);
            if (found.isEmpty()) {
                BlobApi.sendError(response, callback, 404, "ResourceNotFound", "no storage account '" + account + "'", requestId);
            } else if (String.valueOf(request.getHttpURI().getQuery()).contains("deny=true")) {
                BlobApi.sendError(response, callback, 403, "AuthorizationPermissionMismatch",
                        "This request is not authorized to perform this operation using this permission.", requestId);
            } else {
                api.handle(found.get(), BlobApi.pathAfterAccount(request), request, response, callback, requestId);
            }
            return true;
        }
    }
}
