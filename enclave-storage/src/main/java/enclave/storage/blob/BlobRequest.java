package enclave.storage.blob;

import enclave.core.EnclaveException;
import enclave.storage.account.StorageAccount;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jetty.util.Fields;

/**
 * What a path-style blob request asks for: the operation, and the container and blob it names. The gateway
 * uses it to authorize a request before {@link BlobApi#handle} serves it.
 *
 * @param container decoded container name
 * @param blob decoded blob name
 */
public record BlobRequest(BlobOperation operation, Optional<String> container, Optional<String> blob) {
    public BlobRequest {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(container, "container");
        Objects.requireNonNull(blob, "blob");
    }

    /**
     * Classifies a request; empty when {@link BlobApi#handle} would refuse it without touching any data
     * (unsupported verb or query, malformed path or name).
     *
     * @param rawPath the still percent-encoded path after {@code /{account}}, e.g. {@code /c1/dir/a%20b.txt} or empty
     */
    public static Optional<BlobRequest> classify(String method, String rawPath, Fields query) {
        try {
            return Optional.of(parse(method, rawPath, query));
        } catch (Refusal | EnclaveException e) {
            return Optional.empty();
        }
    }

    /** The scope RBAC checks this request at: the account, or the container within it (as Azure scopes data roles). */
    public String scope(StorageAccount account) {
        return container.map(name -> account.id() + "/blobServices/default/containers/" + name).orElse(account.id());
    }

    static BlobRequest parse(String method, String rawPath, Fields query) {
        String path = rawPath == null ? "" : rawPath;
        if (!path.isEmpty() && !path.startsWith("/")) {
            throw new Refusal(BlobErrorCode.InvalidUri, "the path must start with '/'");
        }
        String rest = path.isEmpty() ? "" : path.substring(1);
        int slash = rest.indexOf('/');
        String container = decode(slash < 0 ? rest : rest.substring(0, slash));
        String blob = slash < 0 ? "" : decode(rest.substring(slash + 1));
        String restype = query.getValue("restype");
        String comp = query.getValue("comp");

        if (container.isEmpty()) {
            if (!blob.isEmpty()) {
                throw new Refusal(BlobErrorCode.InvalidUri, "the path has no container name");
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                throw unsupportedVerb(method, "the account");
            }
            if ("list".equals(comp) && restype == null && method.equals("GET")) {
                return new BlobRequest(BlobOperation.LIST_CONTAINERS, Optional.empty(), Optional.empty());
            }
            if ("account".equals(restype) && "properties".equals(comp)) {
                return new BlobRequest(BlobOperation.GET_ACCOUNT_INFORMATION, Optional.empty(), Optional.empty());
            }
            throw unsupportedQuery("use ?comp=list to list containers or ?restype=account&comp=properties for account information");
        }

        BlobNames.container(container);
        if (blob.isEmpty()) {
            if (!"container".equals(restype)) {
                throw unsupportedQuery("container operations need ?restype=container");
            }
            BlobOperation operation = switch (method) {
                case "PUT" -> comp == null ? BlobOperation.CREATE_CONTAINER : null;
                case "DELETE" -> comp == null ? BlobOperation.DELETE_CONTAINER : null;
                case "HEAD" -> comp == null ? BlobOperation.GET_CONTAINER_PROPERTIES : null;
                case "GET" -> comp == null ? BlobOperation.GET_CONTAINER_PROPERTIES : "list".equals(comp) ? BlobOperation.LIST_BLOBS : null;
                default -> throw unsupportedVerb(method, "a container");
            };
            if (operation == null) {
                throw unsupportedQuery("comp=" + comp + " is not supported on a container with " + method);
            }
            return new BlobRequest(operation, Optional.of(container), Optional.empty());
        }

        BlobNames.blob(blob);
        if (restype != null) {
            throw unsupportedQuery("restype=" + restype + " is not supported on a blob");
        }
        BlobOperation operation = switch (method) {
            case "PUT" -> comp == null ? BlobOperation.PUT_BLOB
                    : "block".equals(comp) ? BlobOperation.PUT_BLOCK
                    : "blocklist".equals(comp) ? BlobOperation.PUT_BLOCK_LIST
                    : null;
            case "GET" -> comp == null ? BlobOperation.GET_BLOB : "blocklist".equals(comp) ? BlobOperation.GET_BLOCK_LIST : null;
            case "HEAD" -> comp == null ? BlobOperation.GET_BLOB_PROPERTIES : null;
            case "DELETE" -> comp == null ? BlobOperation.DELETE_BLOB : null;
            default -> throw unsupportedVerb(method, "a blob");
        };
        if (operation == null) {
            throw unsupportedQuery("comp=" + comp + " is not supported on a blob with " + method);
        }
        return new BlobRequest(operation, Optional.of(container), Optional.of(blob));
    }

    /** Percent-decodes a path segment as UTF-8; {@code +} stays a plus, as it does in paths. */
    static String decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int high = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int low = high >= 0 ? Character.digit(raw.charAt(i + 2), 16) : -1;
                if (low < 0) {
                    throw new Refusal(BlobErrorCode.InvalidUri, "the path has a malformed percent-encoding");
                }
                bytes.write(high << 4 | low);
                i += 2;
            } else {
                int next = raw.indexOf('%', i);
                int end = next < 0 ? raw.length() : next;
                byte[] plain = raw.substring(i, end).getBytes(StandardCharsets.UTF_8);
                bytes.write(plain, 0, plain.length);
                i = end - 1;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new Refusal(BlobErrorCode.InvalidUri, "the path is not valid UTF-8 once decoded");
        }
    }

    private static Refusal unsupportedVerb(String method, String what) {
        return new Refusal(BlobErrorCode.UnsupportedHttpVerb, method + " is not supported on " + what);
    }

    private static Refusal unsupportedQuery(String detail) {
        return new Refusal(BlobErrorCode.InvalidQueryParameterValue, detail);
    }
}
