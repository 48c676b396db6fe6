package enclave.storage.blob;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/** The XML bodies of the Blob REST API (version 2023-11-03): listings, block lists and errors. */
final class BlobXml {
    /** HTTP dates ({@code Last-Modified}, {@code Date}): RFC 1123 with a two-digit day. */
    static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    // The Time line of error messages, as Azure writes it (seven fractional digits).
    private static final DateTimeFormatter ERROR_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final XMLOutputFactory OUTPUT = XMLOutputFactory.newFactory();

    private BlobXml() {}

    /** One entry of a blob listing: a blob, or a virtual directory when a delimiter is given. */
    sealed interface ListEntry {
        String name();
    }

    record BlobEntry(BlobInfo blob) implements ListEntry {
        @Override
        public String name() {
            return blob.name();
        }
    }

    record PrefixEntry(String name) implements ListEntry {}

    /** Query values echoed back in a listing. */
    record Listing(String endpoint, Optional<String> prefix, Optional<String> marker, Optional<Integer> maxResults,
            Optional<String> delimiter, Optional<String> nextMarker) {}

    static byte[] error(String code, String message, String requestId, Instant time) {
        return write(xml -> {
            xml.writeStartElement("Error");
            element(xml, "Code", code);
            element(xml, "Message", message + "\nRequestId:" + requestId + "\nTime:" + ERROR_TIME.format(time));
            xml.writeEndElement();
        });
    }

    static byte[] containers(Listing listing, List<ContainerInfo> containers, boolean withMetadata) {
        return write(xml -> {
            xml.writeStartElement("EnumerationResults");
            xml.writeAttribute("ServiceEndpoint", listing.endpoint());
            echo(xml, listing);
            xml.writeStartElement("Containers");
            for (ContainerInfo container : containers) {
                xml.writeStartElement("Container");
                element(xml, "Name", container.name());
                xml.writeStartElement("Properties");
                element(xml, "Last-Modified", HTTP_DATE.format(container.lastModified()));
                element(xml, "Etag", container.etag());
                element(xml, "LeaseStatus", "unlocked");
                element(xml, "LeaseState", "available");
                element(xml, "DefaultEncryptionScope", "$account-encryption-key");
                element(xml, "DenyEncryptionScopeOverride", "false");
                element(xml, "HasImmutabilityPolicy", "false");
                element(xml, "HasLegalHold", "false");
                xml.writeEndElement();
                if (withMetadata) {
                    metadata(xml, container.metadata());
                }
                xml.writeEndElement();
            }
            xml.writeEndElement();
            element(xml, "NextMarker", listing.nextMarker().orElse(""));
            xml.writeEndElement();
        });
    }

    static byte[] blobs(Listing listing, String container, List<ListEntry> entries, boolean withMetadata) {
        return write(xml -> {
            xml.writeStartElement("EnumerationResults");
            xml.writeAttribute("ServiceEndpoint", listing.endpoint());
            xml.writeAttribute("ContainerName", container);
            echo(xml, listing);
            listing.delimiter().ifPresent(delimiter -> element(xml, "Delimiter", delimiter));
            xml.writeStartElement("Blobs");
            for (ListEntry entry : entries) {
                switch (entry) {
                    case PrefixEntry prefix -> {
                        xml.writeStartElement("BlobPrefix");
                        element(xml, "Name", prefix.name());
                        xml.writeEndElement();
                    }
                    case BlobEntry(BlobInfo blob) -> {
                        xml.writeStartElement("Blob");
                        element(xml, "Name", blob.name());
                        xml.writeStartElement("Properties");
                        element(xml, "Creation-Time", HTTP_DATE.format(blob.creationTime()));
                        element(xml, "Last-Modified", HTTP_DATE.format(blob.lastModified()));
                        element(xml, "Etag", blob.etag());
                        element(xml, "Content-Length", Long.toString(blob.size()));
                        element(xml, "Content-Type", blob.contentType());
                        element(xml, "Content-Encoding", blob.contentEncoding().orElse(""));
                        element(xml, "Content-Language", blob.contentLanguage().orElse(""));
                        element(xml, "Content-MD5", blob.contentMd5());
                        element(xml, "Content-Disposition", blob.contentDisposition().orElse(""));
                        element(xml, "Cache-Control", blob.cacheControl().orElse(""));
                        element(xml, "BlobType", "BlockBlob");
                        element(xml, "AccessTier", "Hot");
                        element(xml, "AccessTierInferred", "true");
                        element(xml, "LeaseStatus", "unlocked");
                        element(xml, "LeaseState", "available");
                        element(xml, "ServerEncrypted", "true");
                        xml.writeEndElement();
                        if (withMetadata) {
                            metadata(xml, blob.metadata());
                        }
                        xml.writeEndElement();
                    }
                }
            }
            xml.writeEndElement();
            element(xml, "NextMarker", listing.nextMarker().orElse(""));
            xml.writeEndElement();
        });
    }

    static byte[] blockList(List<Block> committed, List<Block> uncommitted, boolean withCommitted, boolean withUncommitted) {
        return write(xml -> {
            xml.writeStartElement("BlockList");
            if (withCommitted) {
                blocks(xml, "CommittedBlocks", committed);
            }
            if (withUncommitted) {
                blocks(xml, "UncommittedBlocks", uncommitted);
            }
            xml.writeEndElement();
        });
    }

    /** Parses {@code <BlockList><Latest|Committed|Uncommitted>id</...>...</BlockList>}; empty when it is not one. */
    static Optional<List<BlockRef>> parseBlockList(byte[] body) {
        try {
            Element root = parser().parse(new ByteArrayInputStream(body)).getDocumentElement();
            if (!root.getTagName().equals("BlockList")) {
                return Optional.empty();
            }
            List<BlockRef> refs = new ArrayList<>();
            for (Node node = root.getFirstChild(); node != null; node = node.getNextSibling()) {
                if (node.getNodeType() == Node.TEXT_NODE && node.getTextContent().isBlank()) {
                    continue;
                }
                if (!(node instanceof Element element)) {
                    if (node.getNodeType() == Node.COMMENT_NODE) {
                        continue;
                    }
                    return Optional.empty();
                }
                BlockRef.Source source = switch (element.getTagName()) {
                    case "Latest" -> BlockRef.Source.LATEST;
                    case "Committed" -> BlockRef.Source.COMMITTED;
                    case "Uncommitted" -> BlockRef.Source.UNCOMMITTED;
                    default -> null;
                };
                if (source == null) {
                    return Optional.empty();
                }
                refs.add(new BlockRef(element.getTextContent().trim(), source));
            }
            return Optional.of(refs);
        } catch (SAXException | IOException e) {
            return Optional.empty();
        }
    }

    private static DocumentBuilder parser() {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            // Block lists come from callers: no DTDs, no external entities.
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            // Parse errors become an empty result; without a handler the JDK would also print them to stderr.
            builder.setErrorHandler(new DefaultHandler());
            return builder;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser cannot be configured securely", e);
        }
    }

    private static void echo(XMLStreamWriter xml, Listing listing) throws XMLStreamException {
        if (listing.prefix().isPresent()) {
            element(xml, "Prefix", listing.prefix().get());
        }
        if (listing.marker().isPresent()) {
            element(xml, "Marker", listing.marker().get());
        }
        if (listing.maxResults().isPresent()) {
            element(xml, "MaxResults", Integer.toString(listing.maxResults().get()));
        }
    }

    private static void blocks(XMLStreamWriter xml, String wrapper, List<Block> blocks) throws XMLStreamException {
        xml.writeStartElement(wrapper);
        for (Block block : blocks) {
            xml.writeStartElement("Block");
            element(xml, "Name", block.id());
            element(xml, "Size", Long.toString(block.size()));
            xml.writeEndElement();
        }
        xml.writeEndElement();
    }

    private static void metadata(XMLStreamWriter xml, Map<String, String> metadata) throws XMLStreamException {
        xml.writeStartElement("Metadata");
        for (Map.Entry<String, String> entry : new TreeMap<>(metadata).entrySet()) {
            element(xml, entry.getKey(), entry.getValue());
        }
        xml.writeEndElement();
    }

    private static void element(XMLStreamWriter xml, String name, String text) {
        try {
            xml.writeStartElement(name);
            xml.writeCharacters(xmlSafe(text));
            xml.writeEndElement();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot write XML element " + name, e);
        }
    }

    /** Replaces characters XML 1.0 cannot carry (they can only come from refused input echoed in a message). */
    private static String xmlSafe(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean allowed = c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xfffd);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                if (out != null) {
                    out.append(c).append(text.charAt(i + 1));
                }
                i++;
                continue;
            }
            if (Character.isSurrogate(c)) {
                allowed = false;
            }
            if (!allowed && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (out != null) {
                out.append(allowed ? c : '\uFFFD');
            }
        }
        return out == null ? text : out.toString();
    }

    private interface XmlBody {
        void write(XMLStreamWriter xml) throws XMLStreamException;
    }

    private static byte[] write(XmlBody body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            XMLStreamWriter xml = OUTPUT.createXMLStreamWriter(out, "UTF-8");
            xml.writeStartDocument("utf-8", "1.0");
            body.write(xml);
            xml.writeEndDocument();
            xml.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot write an XML body", e);
        }
        return out.toByteArray();
    }
}
