package enclave.storage.blob;

import enclave.core.EnclaveException;
import enclave.storage.account.StorageAccount;
import enclave.storage.account.StorageAccounts;
import enclave.storage.blob.BlobXml.BlobEntry;
import enclave.storage.blob.BlobXml.ListEntry;
import enclave.storage.blob.BlobXml.Listing;
import enclave.storage.blob.BlobXml.PrefixEntry;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Azure Blob REST API (version 2023-11-03, path style {@code /{account}/{container}/{blob}}) for block blobs:
 * containers (create, delete, properties, list), blobs (put, blocks and block lists, get with ranges, head, delete,
 * list with prefix, delimiter and paging) with Azure's status codes, headers and XML bodies.
 *
 * <p>The gateway resolves the account, checks the network path, authenticates and authorizes (see
 * {@link BlobRequest#classify}), then calls {@link #handle}. Bodies are streamed both ways.
 */
public final class BlobApi {
    /** The service version we answer as when the caller does not say ({@code x-ms-version}). */
    public static final String API_VERSION = "2023-11-03";

    /**
     * The URI compliance the gateway's connector needs: Jetty's default refuses {@code %25} (a blob name with
     * {@code %}), {@code %2F} and empty segments ({@code a//b}), which Azure allows in blob names. This API decodes
     * the raw path itself and refuses {@code .}/{@code ..} segments, so allowing these is safe here.
     */
    public static final UriCompliance URI_COMPLIANCE = UriCompliance.DEFAULT.with("ENCLAVE_BLOB",
            UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING,
            UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
            UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT);

    private static final Logger log = LoggerFactory.getLogger(BlobApi.class);
    private static final String XML = "application/xml";
    private static final int MAX_RESULTS = 5000;
    // 50,000 entries of at most ~110 bytes each fit well within this.
    private static final int MAX_BLOCK_LIST_BODY = 16 * 1024 * 1024;
    // Azure computes a range's MD5 only for ranges up to 4 MiB.
    private static final long MAX_RANGE_MD5 = 4 * 1024 * 1024;
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d{1,18})-(\\d{0,18})");
    private static final String META = "x-ms-meta-";
    private static final int STREAM_BUFFER = 128 * 1024;
    // How much of a refused request's body we read to keep its connection usable (Azure SDKs upload 4 MiB blocks).
    private static final long MAX_DISCARDED_BODY = 8 * 1024 * 1024;

    private final BlobStore blobs;
    private final StorageAccounts accounts;

    public BlobApi(BlobStore blobs, StorageAccounts accounts) {
        this.blobs = blobs;
        this.accounts = accounts;
    }

    /**
     * Serves one blob request for {@code account} and completes {@code callback}; never throws.
     *
     * @param path the {@code /<container>/<blob>} part of the path, still percent-encoded as it came in: in path style
     *     ({@code https://<gateway>/<account>/...}) {@code request.getHttpURI().getPath()} without its first segment, in virtual-host
     *     style ({@code https://<account>.blob.core.windows.net/...}) the whole path; e.g. {@code /c1/dir/a%20b.txt} or {@code ""}
     */
    public void handle(StorageAccount account, String path, Request request, Response response, Callback callback, String requestId) {
        Exchange exchange = new Exchange(account, request, response, callback, requestId);
        // Path style strips the account segment, so only virtual-host style hands over the request's whole path.
        exchange.hostStyle = path.equals(request.getHttpURI().getPath());
        try {
            BlobRequest target = BlobRequest.parse(request.getMethod(), path, exchange.query);
            exchange.operation = Optional.of(target.operation());
            serve(exchange, target);
        } catch (Exception failure) {
            exchange.fail(failure);
        }
    }

    /** {@link #handle(StorageAccount, String, Request, Response, Callback, String)} with the path taken from the request. */
    public void handle(StorageAccount account, Request request, Response response, Callback callback, String requestId) {
        handle(account, pathAfterAccount(request), request, response, callback, requestId);
    }

    /** The still-encoded path after the first segment ({@code /{account}}) of the request's path. */
    public static String pathAfterAccount(Request request) {
        String raw = request.getHttpURI().getPath();
        if (raw == null || raw.length() <= 1) {
            return "";
        }
        int slash = raw.indexOf('/', 1);
        return slash < 0 ? "" : raw.substring(slash);
    }

    /**
     * Answers with Azure's XML error ({@code <Error><Code>..</Code><Message>..</Message></Error>}) and
     * {@code x-ms-error-code}; no body for HEAD. For refusals outside {@link #handle}, e.g.
     * {@code AuthorizationPermissionMismatch} (403), {@code AuthenticationFailed} (403), {@code AuthorizationFailure} (403).
     * Reads and drops up to 8 MiB of an unread request body first (beyond that it answers with {@code Connection: close}),
     * so the client gets the answer instead of a reset connection. Call it on a thread that may block.
     */
    public static void sendError(Response response, Callback callback, int status, String code, String message, String requestId) {
        Request request = response.getRequest();
        boolean bodyGone = true;
        if (request != null && declaresBody(request)) {
            try (InputStream body = Content.Source.asInputStream(request)) {
                bodyGone = discard(body);
            } catch (IOException e) {
                bodyGone = false;
            }
        }
        sendError(response, callback, status, code, message, requestId, bodyGone);
    }

    private static void sendError(
            Response response, Callback callback, int status, String code, String message, String requestId, boolean bodyGone) {
        Request request = response.getRequest();
        commonHeaders(request, response, requestId);
        HttpFields.Mutable headers = response.getHeaders();
        headers.put("x-ms-error-code", code);
        if (!bodyGone) {
            // Too much left to read: end the connection rather than let the next request start inside this body.
            headers.put(HttpHeader.CONNECTION, "close");
        }
        response.setStatus(status);
        if (request != null && "HEAD".equals(request.getMethod())) {
            headers.put(HttpHeader.CONTENT_LENGTH, 0);
            response.write(true, null, callback);
            return;
        }
        byte[] body = BlobXml.error(code, message, requestId, Instant.now());
        headers.put(HttpHeader.CONTENT_TYPE, XML);
        headers.put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private void serve(Exchange x, BlobRequest target) throws IOException {
        String container = target.container().orElse("");
        String blob = target.blob().orElse("");
        switch (target.operation()) {
            case LIST_CONTAINERS -> listContainers(x);
            case GET_ACCOUNT_INFORMATION -> accountInformation(x);
            case CREATE_CONTAINER -> createContainer(x, container);
            case GET_CONTAINER_PROPERTIES -> containerProperties(x, container);
            case DELETE_CONTAINER -> deleteContainer(x, container);
            case LIST_BLOBS -> listBlobs(x, container);
            case PUT_BLOB -> putBlob(x, container, blob);
            case PUT_BLOCK -> putBlock(x, container, blob);
            case PUT_BLOCK_LIST -> putBlockList(x, container, blob);
            case GET_BLOCK_LIST -> getBlockList(x, container, blob);
            case GET_BLOB, GET_BLOB_PROPERTIES -> getBlob(x, container, blob, target.operation() == BlobOperation.GET_BLOB);
            case DELETE_BLOB -> deleteBlob(x, container, blob);
        }
    }

    // ---- account

    private void listContainers(Exchange x) {
        String prefix = x.queryValue("prefix").orElse("");
        Optional<String> marker = x.queryValue("marker");
        Optional<Integer> maxResults = x.maxResults();
        boolean withMetadata = x.include(List.of("metadata", "deleted", "system")).contains("metadata");
        List<ContainerInfo> all = blobs.listContainers(x.account.name(), prefix).stream()
                .filter(container -> marker.isEmpty() || container.name().compareTo(marker.get()) >= 0)
                .toList();
        int limit = Math.min(maxResults.orElse(MAX_RESULTS), MAX_RESULTS);
        List<ContainerInfo> page = all.subList(0, Math.min(limit, all.size()));
        Optional<String> next = all.size() > limit ? Optional.of(all.get(limit).name()) : Optional.empty();
        Listing listing = new Listing(endpoint(x), x.queryValue("prefix"), marker, maxResults, Optional.empty(), next);
        x.sendXml(200, BlobXml.containers(listing, page, withMetadata));
    }

    private void accountInformation(Exchange x) {
        x.header("x-ms-sku-name", "Standard_LRS");
        x.header("x-ms-account-kind", "StorageV2");
        x.header("x-ms-is-hns-enabled", "false");
        x.sendEmpty(200);
    }

    // ---- containers

    private void createContainer(Exchange x, String container) {
        if (x.requestHeader("x-ms-blob-public-access").isPresent()) {
            throw new Refusal(BlobErrorCode.PublicAccessNotPermitted, "storage account '" + x.account.name()
                    + "' does not allow public access; create the container without x-ms-blob-public-access");
        }
        if (!blobs.createContainer(x.account.name(), container, x.metadata())) {
            throw new Refusal(BlobErrorCode.ContainerAlreadyExists, "container '" + container + "' already exists");
        }
        ContainerInfo info = blobs.container(x.account.name(), container).orElseThrow(() -> containerNotFound(container));
        x.header("ETag", info.etag());
        x.header("Last-Modified", BlobXml.HTTP_DATE.format(info.lastModified()));
        x.sendEmpty(201);
    }

    private void containerProperties(Exchange x, String container) {
        ContainerInfo info = blobs.container(x.account.name(), container).orElseThrow(() -> containerNotFound(container));
        x.header("ETag", info.etag());
        x.header("Last-Modified", BlobXml.HTTP_DATE.format(info.lastModified()));
        info.metadata().forEach((name, value) -> x.header(META + name, value));
        x.header("x-ms-lease-status", "unlocked");
        x.header("x-ms-lease-state", "available");
        x.header("x-ms-has-immutability-policy", "false");
        x.header("x-ms-has-legal-hold", "false");
        x.header("x-ms-default-encryption-scope", "$account-encryption-key");
        x.header("x-ms-deny-encryption-scope-override", "false");
        x.sendEmpty(200);
    }

    private void deleteContainer(Exchange x, String container) {
        if (!blobs.deleteContainer(x.account.name(), container)) {
            throw containerNotFound(container);
        }
        x.sendEmpty(202);
    }

    private void listBlobs(Exchange x, String container) {
        Optional<String> prefixParam = x.queryValue("prefix");
        String prefix = prefixParam.orElse("");
        Optional<String> delimiter = x.queryValue("delimiter");
        Optional<String> marker = x.queryValue("marker");
        Optional<Integer> maxResults = x.maxResults();
        boolean withMetadata = x.include(List.of(
                        "snapshots", "metadata", "uncommittedblobs", "copy", "deleted", "tags", "versions",
                        "deletedwithversions", "immutabilitypolicy", "legalhold", "permissions"))
                .contains("metadata");
        List<ListEntry> entries = new ArrayList<>();
        for (BlobInfo blob : blobs.list(x.account.name(), container, prefix)) {
            Optional<String> folder = delimiter.flatMap(d -> {
                int at = blob.name().indexOf(d, prefix.length());
                return at < 0 ? Optional.empty() : Optional.of(blob.name().substring(0, at + d.length()));
            });
            if (folder.isPresent()) {
                // Blobs under one folder are adjacent in name order, so the folder appears once, where its first blob would.
                if (entries.isEmpty() || !entries.getLast().name().equals(folder.get())) {
                    entries.add(new PrefixEntry(folder.get()));
                }
            } else {
                entries.add(new BlobEntry(blob));
            }
        }
        List<ListEntry> after = marker.isEmpty() ? entries
                : entries.stream().filter(entry -> BlobNames.ORDER.compare(entry.name(), marker.get()) >= 0).toList();
        int limit = Math.min(maxResults.orElse(MAX_RESULTS), MAX_RESULTS);
        List<ListEntry> page = after.subList(0, Math.min(limit, after.size()));
        Optional<String> next = after.size() > limit ? Optional.of(after.get(limit).name()) : Optional.empty();
        Listing listing = new Listing(endpoint(x), prefixParam, marker, maxResults, delimiter, next);
        x.sendXml(200, BlobXml.blobs(listing, container, page, withMetadata));
    }

    // ---- blobs

    private void putBlob(Exchange x, String container, String blob) throws IOException {
        String blobType = x.requestHeader("x-ms-blob-type")
                .orElseThrow(() -> new Refusal(BlobErrorCode.MissingRequiredHeader, "x-ms-blob-type is required: use x-ms-blob-type: BlockBlob"));
        if (!blobType.equals("BlockBlob")) {
            throw new Refusal(BlobErrorCode.InvalidHeaderValue, "x-ms-blob-type '" + blobType + "' is not supported: Enclave stores block blobs only");
        }
        BlobProperties properties = x.blobProperties(true);
        BlobConditions conditions = x.conditions();
        BlobInfo info;
        try (InputStream body = x.body()) {
            info = blobs.put(x.account.name(), container, blob, body, properties, conditions);
        }
        x.header("ETag", info.etag());
        x.header("Last-Modified", BlobXml.HTTP_DATE.format(info.lastModified()));
        x.header("Content-MD5", info.contentMd5());
        x.header("x-ms-request-server-encrypted", "true");
        x.sendEmpty(201);
    }

    private void putBlock(Exchange x, String container, String blob) throws IOException {
        String blockId = x.queryValue("blockid")
                .orElseThrow(() -> new Refusal(BlobErrorCode.InvalidQueryParameterValue, "blockid is required for comp=block"));
        try {
            BlobNames.blockId(blockId);
        } catch (EnclaveException e) {
            throw new Refusal(BlobErrorCode.InvalidBlockId, e.getMessage());
        }
        Optional<String> md5 = x.md5Header("Content-MD5");
        String actual;
        try (InputStream body = x.body()) {
            actual = blobs.putBlock(x.account.name(), container, blob, blockId, body, md5);
        }
        x.header("Content-MD5", actual);
        x.header("x-ms-request-server-encrypted", "true");
        x.sendEmpty(201);
    }

    private void putBlockList(Exchange x, String container, String blob) throws IOException {
        byte[] body;
        try (InputStream in = x.body()) {
            body = in.readNBytes(MAX_BLOCK_LIST_BODY + 1);
        }
        if (body.length > MAX_BLOCK_LIST_BODY) {
            throw new Refusal(BlobErrorCode.RequestBodyTooLarge, "the block list is larger than " + MAX_BLOCK_LIST_BODY + " bytes");
        }
        List<BlockRef> refs = BlobXml.parseBlockList(body)
                .orElseThrow(() -> new Refusal(BlobErrorCode.InvalidXmlDocument,
                        "the body must be <BlockList> with <Latest>, <Committed> or <Uncommitted> block ids"));
        for (BlockRef ref : refs) {
            try {
                BlobNames.blockId(ref.id());
            } catch (EnclaveException e) {
                throw new Refusal(BlobErrorCode.InvalidBlockList, e.getMessage());
            }
        }
        BlobInfo info = blobs.commitBlockList(x.account.name(), container, blob, refs, x.blobProperties(false), x.conditions());
        x.header("ETag", info.etag());
        x.header("Last-Modified", BlobXml.HTTP_DATE.format(info.lastModified()));
        x.header("x-ms-request-server-encrypted", "true");
        x.sendEmpty(201);
    }

    private void getBlockList(Exchange x, String container, String blob) {
        String type = x.queryValue("blocklisttype").orElse("committed").toLowerCase(Locale.ROOT);
        if (!List.of("committed", "uncommitted", "all").contains(type)) {
            throw new Refusal(BlobErrorCode.InvalidQueryParameterValue, "blocklisttype must be committed, uncommitted or all");
        }
        BlockList list = blobs.blockList(x.account.name(), container, blob);
        if (list.blob().isEmpty() && list.uncommitted().isEmpty()) {
            throw blobNotFound(container, blob);
        }
        list.blob().ifPresent(info -> {
            x.header("ETag", info.etag());
            x.header("Last-Modified", BlobXml.HTTP_DATE.format(info.lastModified()));
            x.header("x-ms-blob-content-length", Long.toString(info.size()));
        });
        x.sendXml(200, BlobXml.blockList(list.committed(), list.uncommitted(), !type.equals("uncommitted"), !type.equals("committed")));
    }

    private void getBlob(Exchange x, String container, String blob, boolean withBody) throws IOException {
        BlobConditions conditions = x.conditions();
        Optional<ByteRange> requested = withBody ? x.range() : Optional.empty();
        boolean rangeMd5 = withBody && x.requestHeader("x-ms-range-get-content-md5").filter("true"::equalsIgnoreCase).isPresent();
        try (BlobContent content = blobs.open(x.account.name(), container, blob).orElseThrow(() -> blobNotFound(container, blob))) {
            BlobInfo info = content.info();
            switch (conditions.readOutcome(Optional.of(info))) {
                case PROCEED -> {}
                case NOT_MODIFIED -> {
                    x.header("ETag", info.etag());
                    x.header("Last-Modified", BlobXml.HTTP_DATE.format(info.lastModified()));
                    x.sendEmpty(304);
                    return;
                }
                case PRECONDITION_FAILED -> throw new Refusal(BlobErrorCode.ConditionNotMet, "the conditional headers do not hold for blob " + blob);
            }
            long offset = 0;
            long length = info.size();
            int status = 200;
            x.blobHeaders(info);
            if (requested.isPresent()) {
                ByteRange range = requested.get();
                if (range.start() >= info.size()) {
                    x.header("Content-Range", "bytes */" + info.size());
                    throw new Refusal(BlobErrorCode.InvalidRange, "the range starts at " + range.start() + " but the blob has " + info.size() + " bytes");
                }
                offset = range.start();
                length = Math.min(range.end(), info.size() - 1) - offset + 1;
                status = 206;
                x.header("Content-Range", "bytes " + offset + "-" + (offset + length - 1) + "/" + info.size());
                // For a range, Content-MD5 is the range's (only when asked); the blob's MD5 moves to x-ms-blob-content-md5.
                x.response.getHeaders().remove("Content-MD5");
                x.header("x-ms-blob-content-md5", info.contentMd5());
            }
            if (rangeMd5) {
                if (requested.isEmpty() || length > MAX_RANGE_MD5) {
                    throw new Refusal(BlobErrorCode.OutOfRangeInput,
                            "x-ms-range-get-content-md5 needs a range of at most " + MAX_RANGE_MD5 + " bytes");
                }
                x.header("Content-MD5", md5Of(content.stream(offset, length)));
            }
            x.header("Content-Length", Long.toString(length));
            x.response.setStatus(status);
            if (!withBody) {
                x.finishEmpty();
                return;
            }
            try (OutputStream out = Content.Sink.asOutputStream(x.response); InputStream in = content.stream(offset, length)) {
                byte[] buffer = new byte[STREAM_BUFFER];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                }
            }
            x.callback.succeeded();
        }
    }

    private void deleteBlob(Exchange x, String container, String blob) {
        if (!blobs.delete(x.account.name(), container, blob, x.conditions())) {
            throw blobNotFound(container, blob);
        }
        x.header("x-ms-delete-type-permanent", "true");
        x.sendEmpty(202);
    }

    // ---- helpers

    /** The service endpoint listings name: the host the client used in virtual-host style, else the path-style endpoint. */
    private String endpoint(Exchange x) {
        if (x.hostStyle) {
            return "https://" + x.request.getHttpURI().getAuthority() + "/";
        }
        return accounts.blobEndpoint(x.account.name());
    }

    private static Refusal containerNotFound(String container) {
        return new Refusal(BlobErrorCode.ContainerNotFound, "container '" + container + "' does not exist; create it first");
    }

    private static Refusal blobNotFound(String container, String blob) {
        return new Refusal(BlobErrorCode.BlobNotFound, "blob '" + blob + "' does not exist in container '" + container + "'");
    }

    private static String md5Of(InputStream in) throws IOException {
        MessageDigest md5;
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
        try (DigestInputStream digesting = new DigestInputStream(in, md5)) {
            digesting.transferTo(OutputStream.nullOutputStream());
        }
        return Base64.getEncoder().encodeToString(md5.digest());
    }

    /**
     * The store speaks the platform's error codes; here they become Azure's. {@code BadRequest} means a
     * malformed block or block list, so its Azure code depends on the operation.
     */
    private static BlobErrorCode azureCode(EnclaveException e, Optional<BlobOperation> operation) {
        return switch (e.code()) {
            case ContainerNotFound -> BlobErrorCode.ContainerNotFound;
            case BlobNotFound -> BlobErrorCode.BlobNotFound;
            case InvalidResourceName -> BlobErrorCode.InvalidResourceName;
            case PayloadTooLarge -> BlobErrorCode.RequestBodyTooLarge;
            case Conflict -> e.status() == 412 ? BlobErrorCode.ConditionNotMet : BlobErrorCode.BlobAlreadyExists;
            case InvalidRequestContent -> BlobErrorCode.Md5Mismatch;
            case BadRequest -> operation.map(op -> switch (op) {
                        case PUT_BLOCK -> BlobErrorCode.InvalidBlobOrBlock;
                        case PUT_BLOCK_LIST -> BlobErrorCode.InvalidBlockList;
                        default -> BlobErrorCode.InvalidInput;
                    })
                    .orElse(BlobErrorCode.InvalidInput);
            default -> e.status() >= 500 ? BlobErrorCode.InternalError
                    : e.status() == 404 ? BlobErrorCode.ResourceNotFound
                    : BlobErrorCode.InvalidInput;
        };
    }

    private static void commonHeaders(Request request, Response response, String requestId) {
        HttpFields.Mutable headers = response.getHeaders();
        headers.put("x-ms-request-id", requestId);
        String version = request != null ? request.getHeaders().get("x-ms-version") : null;
        headers.put("x-ms-version", version != null && version.length() <= 32 ? version : API_VERSION);
        headers.put(HttpHeader.DATE, BlobXml.HTTP_DATE.format(Instant.now()));
        String clientRequestId = request != null ? request.getHeaders().get("x-ms-client-request-id") : null;
        if (clientRequestId != null && clientRequestId.length() <= 1024) {
            headers.put("x-ms-client-request-id", clientRequestId);
        }
    }

    /** Whether the client is sending a body with this request (not one still waiting for {@code 100 Continue}). */
    private static boolean declaresBody(Request request) {
        return (request.getLength() > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING))
                && !request.getHeaders().contains(HttpHeader.EXPECT, "100-continue");
    }

    /**
     * Reads and drops what is left of a refused request's body, up to a limit, so that the client receives the
     * answer (closing a socket with unread bytes resets the connection under the answer) and the connection can
     * carry the next request. Returns whether the body is gone.
     */
    private static boolean discard(InputStream body) {
        try {
            byte[] buffer = new byte[STREAM_BUFFER];
            long discarded = 0;
            int n;
            while ((n = body.read(buffer)) >= 0) {
                discarded += n;
                if (discarded > MAX_DISCARDED_BODY) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** An inclusive byte range from {@code Range} or {@code x-ms-range}; {@code end} is {@link Long#MAX_VALUE} when open. */
    private record ByteRange(long start, long end) {}

    /** One request in progress: what came in, and the answer being built. */
    private final class Exchange {
        final StorageAccount account;
        final Request request;
        final Response response;
        final Callback callback;
        final String requestId;
        final Fields query;
        Optional<BlobOperation> operation = Optional.empty();
        boolean hostStyle;
        private boolean bodyConsumed;
        // One stream over the request content for the whole exchange: closing a Jetty content stream before its end
        // fails the request and drops the connection, so operations never close it; the exchange does, at its end.
        private InputStream content;

        Exchange(StorageAccount account, Request request, Response response, Callback callback, String requestId) {
            this.account = account;
            this.request = request;
            this.response = response;
            this.callback = callback;
            this.requestId = requestId;
            this.query = Request.extractQueryParameters(request);
        }

        /** The request body; notes when it has been read to the end, so an error answer knows whether the connection can stay open. */
        InputStream body() {
            if (content == null) {
                content = Content.Source.asInputStream(request);
            }
            return new FilterInputStream(content) {
                @Override
                public void close() {
                    // see the content field
                }

                @Override
                public int read() throws IOException {
                    return ended(super.read());
                }

                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    return ended(super.read(buffer, offset, length));
                }

                private int ended(int result) {
                    if (result < 0) {
                        bodyConsumed = true;
                    }
                    return result;
                }
            };
        }

        Optional<String> queryValue(String name) {
            return Optional.ofNullable(query.getValue(name)).filter(value -> !value.isEmpty());
        }

        Optional<String> requestHeader(String name) {
            return Optional.ofNullable(request.getHeaders().get(name));
        }

        void header(String name, String value) {
            response.getHeaders().put(name, value);
        }

        Optional<Integer> maxResults() {
            Optional<String> raw = queryValue("maxresults");
            if (raw.isEmpty()) {
                return Optional.empty();
            }
            try {
                int value = Integer.parseInt(raw.get());
                if (value > 0) {
                    return Optional.of(value);
                }
            } catch (NumberFormatException e) {
                // refused below
            }
            throw new Refusal(BlobErrorCode.InvalidQueryParameterValue, "maxresults must be a positive number, not '" + raw.get() + "'");
        }

        List<String> include(List<String> known) {
            List<String> values = queryValue("include")
                    .map(raw -> Arrays.stream(raw.split(",")).map(String::trim).map(v -> v.toLowerCase(Locale.ROOT)).toList())
                    .orElse(List.of());
            for (String value : values) {
                if (!known.contains(value)) {
                    throw new Refusal(BlobErrorCode.InvalidQueryParameterValue, "include value '" + value + "' is not one of " + known);
                }
            }
            return values;
        }

        Map<String, String> metadata() {
            Map<String, String> metadata = new LinkedHashMap<>();
            for (HttpField field : request.getHeaders()) {
                String name = field.getName();
                if (name.regionMatches(true, 0, META, 0, META.length())) {
                    metadata.put(name.substring(META.length()), field.getValue());
                }
            }
            try {
                return BlobNames.metadata(metadata);
            } catch (EnclaveException e) {
                throw new Refusal(BlobErrorCode.InvalidMetadata, e.getMessage());
            }
        }

        /** The blob's content headers; Put Blob also takes the plain HTTP headers, Put Block List only {@code x-ms-blob-*}. */
        BlobProperties blobProperties(boolean plainHeadersDescribeBlob) {
            return new BlobProperties(
                    blobHeader("x-ms-blob-content-type", "Content-Type", plainHeadersDescribeBlob),
                    blobHeader("x-ms-blob-content-encoding", "Content-Encoding", plainHeadersDescribeBlob),
                    blobHeader("x-ms-blob-content-language", "Content-Language", plainHeadersDescribeBlob),
                    blobHeader("x-ms-blob-content-disposition", "Content-Disposition", plainHeadersDescribeBlob),
                    blobHeader("x-ms-blob-cache-control", "Cache-Control", plainHeadersDescribeBlob),
                    md5Header("x-ms-blob-content-md5").or(() -> plainHeadersDescribeBlob ? md5Header("Content-MD5") : Optional.empty()),
                    metadata());
        }

        private Optional<String> blobHeader(String azureName, String plainName, boolean plainAllowed) {
            return requestHeader(azureName).or(() -> plainAllowed ? requestHeader(plainName) : Optional.empty());
        }

        Optional<String> md5Header(String name) {
            Optional<String> value = requestHeader(name);
            if (value.isPresent()) {
                try {
                    if (Base64.getDecoder().decode(value.get()).length == 16) {
                        return value;
                    }
                } catch (IllegalArgumentException e) {
                    // refused below
                }
                throw new Refusal(BlobErrorCode.InvalidHeaderValue, name + " must be the Base64 of a 16-byte MD5 hash");
            }
            return value;
        }

        BlobConditions conditions() {
            return new BlobConditions(
                    requestHeader("If-Match"), requestHeader("If-None-Match"), dateHeader("If-Modified-Since"), dateHeader("If-Unmodified-Since"));
        }

        private Optional<Instant> dateHeader(String name) {
            Optional<String> value = requestHeader(name);
            try {
                return value.map(text -> Instant.from(BlobXml.HTTP_DATE.parse(text.trim())));
            } catch (DateTimeParseException e) {
                throw new Refusal(BlobErrorCode.InvalidHeaderValue, name + " must be an HTTP date like 'Wed, 01 May 2024 10:00:00 GMT'");
            }
        }

        Optional<ByteRange> range() {
            String headerName = requestHeader("x-ms-range").isPresent() ? "x-ms-range" : "Range";
            Optional<String> value = requestHeader(headerName);
            if (value.isEmpty()) {
                return Optional.empty();
            }
            Matcher matcher = RANGE.matcher(value.get().trim());
            if (!matcher.matches()) {
                throw new Refusal(BlobErrorCode.InvalidHeaderValue, headerName + " must be 'bytes=start-end' or 'bytes=start-'");
            }
            long start = Long.parseLong(matcher.group(1));
            long end = matcher.group(2).isEmpty() ? Long.MAX_VALUE : Long.parseLong(matcher.group(2));
            if (end < start) {
                throw new Refusal(BlobErrorCode.InvalidHeaderValue, headerName + " ends before it starts");
            }
            return Optional.of(new ByteRange(start, end));
        }

        void blobHeaders(BlobInfo info) {
            header("Last-Modified", BlobXml.HTTP_DATE.format(info.lastModified()));
            header("ETag", info.etag());
            header("Content-Type", info.contentType());
            header("Content-MD5", info.contentMd5());
            info.contentEncoding().ifPresent(value -> header("Content-Encoding", value));
            info.contentLanguage().ifPresent(value -> header("Content-Language", value));
            info.contentDisposition().ifPresent(value -> header("Content-Disposition", value));
            info.cacheControl().ifPresent(value -> header("Cache-Control", value));
            info.metadata().forEach((name, value) -> header(META + name, value));
            header("Accept-Ranges", "bytes");
            header("x-ms-blob-type", "BlockBlob");
            header("x-ms-creation-time", BlobXml.HTTP_DATE.format(info.creationTime()));
            header("x-ms-lease-status", "unlocked");
            header("x-ms-lease-state", "available");
            header("x-ms-server-encrypted", "true");
            header("x-ms-access-tier", "Hot");
            header("x-ms-access-tier-inferred", "true");
        }

        void sendEmpty(int status) {
            response.setStatus(status);
            header("Content-Length", "0");
            finishEmpty();
        }

        /** Ends a response whose status and headers are set and that has no body (HEAD keeps its Content-Length). */
        void finishEmpty() {
            commonHeaders(request, response, requestId);
            response.write(true, null, callback);
        }

        void sendXml(int status, byte[] body) {
            commonHeaders(request, response, requestId);
            response.setStatus(status);
            header("Content-Type", XML);
            header("Content-Length", Integer.toString(body.length));
            response.write(true, ByteBuffer.wrap(body), callback);
        }

        void closeContent() {
            if (content != null) {
                try {
                    content.close();
                } catch (IOException e) {
                    log.debug("closing the body of {} failed: {}", requestId, e.getMessage());
                }
            }
        }

        void fail(Exception failure) {
            if (response.isCommitted()) {
                // Headers are out: the only honest signal left is to abort the response.
                log.warn("blob request {} failed after the response started: {}", requestId, failure.toString());
                callback.failed(failure);
                return;
            }
            BlobErrorCode code;
            String message;
            switch (failure) {
                case Refusal refusal -> {
                    code = refusal.code();
                    message = refusal.getMessage();
                }
                case EnclaveException e -> {
                    code = azureCode(e, operation);
                    message = e.getMessage();
                }
                default -> {
                    log.error("blob request {} {} {} for account {} failed", requestId, request.getMethod(), request.getHttpURI().getPath(),
                            account.name(), failure);
                    code = BlobErrorCode.InternalError;
                    message = "request " + requestId + " failed inside Enclave; see the server log";
                }
            }
            // Keep a Content-Range from a refused range; drop every other header of the answer that was being built.
            String contentRange = response.getHeaders().get("Content-Range");
            response.reset();
            if (code == BlobErrorCode.InvalidRange && contentRange != null) {
                header("Content-Range", contentRange);
            }
            boolean bodyGone = bodyConsumed || !declaresBody(request) || discard(body());
            closeContent();
            sendError(response, callback, code.status(), code.name(), code.summary() + " " + message, requestId, bodyGone);
        }
    }
}
