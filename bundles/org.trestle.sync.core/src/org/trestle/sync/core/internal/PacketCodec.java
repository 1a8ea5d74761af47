package org.trestle.sync.core.internal;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

import org.trestle.sync.api.PacketManager;
import org.trestle.sync.api.SyncProtocol;
import org.trestle.sync.api.TypeVersions;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.api.packet.ExchangeAnswer;
import org.trestle.sync.api.packet.Operation;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.api.packet.PacketException;
import org.trestle.sync.api.packet.SyncFile;
import org.trestle.sync.api.packet.Wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Packet JSON and GZIP per the protocol. Parsing is strict about the envelope (a missing
 * or mistyped field refuses the whole packet with the field named) and bounded: nesting
 * depth, string and number lengths are limited while parsing, and inflating stops at a
 * byte limit, so a hostile packet costs neither memory nor time.
 */
public final class PacketCodec implements PacketManager {

    public static final int MAX_NESTING = 32;
    public static final int MAX_STRING = 1 << 20;

    private final ObjectMapper json;
    private final String schemaVersion;
    private final int maxChanges;
    private final AnswerCodec answers = new AnswerCodec(this);

    public PacketCodec(String schemaVersion, int maxChanges) {
        this.schemaVersion = schemaVersion;
        this.maxChanges = maxChanges;
        JsonFactory factory = JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING).maxStringLength(MAX_STRING).maxNumberLength(100).build()).build();
        this.json = new ObjectMapper(factory);
    }

    public ObjectMapper mapper() {
        return json;
    }

    @Override
    public byte[] toJson(Packet packet) {
        try {
            return json.writeValueAsBytes(toTree(packet));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a packet could not be written", e);
        }
    }

    @Override
    public ObjectNode toTree(Packet p) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("protocol", p.protocol());
        root.put("schema_version", p.schemaVersion());
        root.put("sender", p.sender());
        root.put("target", p.target());
        root.put("packet_no", p.packetNo());
        root.put("ack", p.ack());
        root.put("created_at", Wire.format(p.createdAt()));
        root.put("has_more", p.hasMore());
        if (!p.types().isEmpty()) {
            ObjectNode types = root.putObject("types");
            new TreeMap<>(p.types()).forEach(types::put);
        }
        ArrayNode changes = root.putArray("changes");
        for (Change c : p.changes()) {
            changes.add(changeToTree(c));
        }
        return root;
    }

    public static ObjectNode changeToTree(Change c) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("seq", c.seq());
        n.put("entity_type", c.entityType());
        n.put("entity_uuid", c.entityUuid());
        n.put("operation", c.operation().name());
        n.put("updated_at", Wire.format(c.updatedAt()));
        if (c.operation() != Operation.DELETE && c.operation() != Operation.EVICT && c.data() != null) {
            n.set("data", c.data());
        }
        if (c.changed() != null) {
            ArrayNode changed = n.putArray("changed");
            c.changed().forEach(changed::add);
        }
        if (c.base() != null) {
            n.put("base", c.base());
        }
        if (c.resolves() != null) {
            n.put("resolves", c.resolves());
        }
        return n;
    }

    @Override
    public Packet fromJson(byte[] bytes) {
        JsonNode root;
        try {
            root = json.readTree(bytes);
        } catch (IOException e) {
            throw new PacketException(PacketException.INVALID, "the packet is not valid JSON: " + firstLine(e));
        }
        return fromTree(root);
    }

    @Override
    public Packet fromTree(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw PacketFields.invalid("the packet must be a JSON object");
        }
        int protocol = (int) PacketFields.integer(root, "protocol", 1, Integer.MAX_VALUE);
        if (protocol != SyncProtocol.PROTOCOL_VERSION) {
            throw PacketFields.invalid("protocol " + protocol + " is not supported; this node speaks " + SyncProtocol.PROTOCOL_VERSION);
        }
        String schema = PacketFields.string(root, "schema_version", 32);
        String sender = PacketFields.string(root, "sender", 64);
        String target = PacketFields.string(root, "target", 64);
        long packetNo = PacketFields.integer(root, "packet_no", 1, Long.MAX_VALUE);
        long ack = PacketFields.integer(root, "ack", 0, Long.MAX_VALUE);
        Instant createdAt = PacketFields.timestamp(root, "created_at");
        JsonNode more = root.get("has_more");
        if (more == null || !more.isBoolean()) {
            throw PacketFields.invalid("has_more must be true or false");
        }
        JsonNode changes = root.get("changes");
        if (changes == null || !changes.isArray()) {
            throw PacketFields.invalid("changes must be an array");
        }
        if (changes.size() > maxChanges) {
            throw new PacketException(PacketException.TOO_LARGE,
                    "the packet holds " + changes.size() + " changes; at most " + maxChanges + " are accepted");
        }
        List<Change> list = new ArrayList<>(changes.size());
        long lastSeq = 0;
        int index = 0;
        for (JsonNode c : changes) {
            Change change = change(c, index++);
            if (change.seq() <= lastSeq) {
                throw PacketFields.invalid("changes[" + (index - 1) + "]: seq " + change.seq() + " does not increase");
            }
            lastSeq = change.seq();
            list.add(change);
        }
        return new Packet(protocol, schema, sender, target, packetNo, ack, createdAt, more.booleanValue(), list,
                types(root.get("types")));
    }

    /** More entity types than any installation declares: a longer {@code types} is not a sender's. */
    static final int MAX_TYPES = 1_000;

    /** The optional {@code types} object: type name to the version of its declaration the sender runs. */
    private static Map<String, String> types(JsonNode types) {
        if (types == null || types.isNull()) {
            return Map.of();
        }
        if (!types.isObject()) {
            throw PacketFields.invalid("types must be an object of entity type names to versions");
        }
        if (types.size() > MAX_TYPES) {
            throw PacketFields.invalid("types names " + types.size() + " entity types; at most " + MAX_TYPES);
        }
        Map<String, String> out = new HashMap<>();
        for (var e : types.properties()) {
            if (e.getKey().length() > 64 || !e.getValue().isTextual()
                    || !TypeVersions.valid(e.getValue().textValue())) {
                throw PacketFields.invalid("types: '" + Wire.abbreviate(e.getKey()) + "' must name a version "
                        + "major.minor.micro");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    /** A change as {@link #changeToTree} wrote it. */
    public static Change changeFromTree(JsonNode c) {
        return change(c, 0);
    }

    private static Change change(JsonNode c, int index) {
        String at = "changes[" + index + "]";
        if (!c.isObject()) {
            throw PacketFields.invalid(at + " must be an object");
        }
        long seq = PacketFields.integer(c, "seq", 1, Long.MAX_VALUE, at);
        String type = PacketFields.string(c, "entity_type", 200, at);
        String uuid = PacketFields.string(c, "entity_uuid", 200, at);
        String opText = PacketFields.string(c, "operation", 16, at);
        Operation op;
        try {
            op = Operation.valueOf(opText);
        } catch (IllegalArgumentException e) {
            throw PacketFields.invalid(at + ".operation must be INSERT, UPDATE, DELETE or EVICT");
        }
        Instant updatedAt = PacketFields.timestamp(c, "updated_at", at);
        JsonNode data = c.get("data");
        ObjectNode object = null;
        if (op != Operation.DELETE && op != Operation.EVICT) {
            if (data == null || !data.isObject()) {
                throw PacketFields.invalid(at + ".data must be an object for " + op);
            }
            object = (ObjectNode) data;
            PacketFields.checkStrings(object, at + ".data");
        }
        List<String> changed = null;
        JsonNode changedNode = c.get("changed");
        if (changedNode != null && !changedNode.isNull()) {
            if (!changedNode.isArray()) {
                throw PacketFields.invalid(at + ".changed must be an array of attribute names");
            }
            changed = new ArrayList<>();
            for (Iterator<JsonNode> it = changedNode.elements(); it.hasNext();) {
                JsonNode name = it.next();
                if (!name.isTextual()) {
                    throw PacketFields.invalid(at + ".changed must hold attribute names");
                }
                PacketFields.noNul(name.textValue(), at + ".changed");
                changed.add(name.textValue());
            }
        }
        Long base = null;
        JsonNode baseNode = c.get("base");
        if (baseNode != null && !baseNode.isNull()) {
            base = PacketFields.integer(c, "base", 0, Long.MAX_VALUE, at);
        }
        String resolves = null;
        JsonNode resolvesNode = c.get("resolves");
        if (resolvesNode != null && !resolvesNode.isNull()) {
            resolves = PacketFields.string(c, "resolves", 36, at); // a version id
        }
        return new Change(seq, type, uuid, op, updatedAt, object, changed, base, resolves);
    }

    @Override
    public byte[] compress(Packet packet) {
        return Gzip.compress(toJson(packet));
    }

    @Override
    public byte[] gzip(byte[] bytes) {
        return Gzip.compress(bytes);
    }

    @Override
    public byte[] inflate(byte[] gzip, long maxInflatedBytes) {
        return Gzip.inflate(gzip, maxInflatedBytes);
    }

    @Override
    public Packet decompress(byte[] gzip, long maxInflatedBytes) {
        return decompress(gzip, maxInflatedBytes, bytes -> {
        });
    }

    /**
     * Parses the packet while it inflates: the inflated JSON is never held as a whole, and
     * the limit and the caller's budget are checked on every megabyte, so a GZIP bomb stops
     * being read at the limit, having cost the parser's buffers and no more.
     */
    @Override
    public Packet decompress(byte[] gzip, long maxInflatedBytes, LongConsumer reserve) {
        JsonNode root;
        try (InputStream in = new LimitedStream(new GZIPInputStream(new ByteArrayInputStream(gzip), 8192),
                maxInflatedBytes, reserve)) {
            root = json.readTree(in);
        } catch (IOException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof LimitedStream.TooLarge) {
                    throw new PacketException(PacketException.TOO_LARGE,
                            "the packet inflates past the limit of " + maxInflatedBytes + " bytes");
                }
                if (t instanceof ZipException || t instanceof EOFException) {
                    throw new PacketException(PacketException.INVALID, "the packet is not valid GZIP: " + t.getMessage());
                }
            }
            throw new PacketException(PacketException.INVALID, "the packet is not valid JSON: " + firstLine(e));
        }
        return fromTree(root);
    }

    // ---------------------------------------------------------------- the exchange answer

    @Override
    public byte[] answerToJson(ExchangeAnswer answer, boolean hexPacket) {
        return answers.toJson(answer, hexPacket);
    }

    @Override
    public ExchangeAnswer answerFromJson(byte[] json, long maxInflatedBytes) {
        return answers.fromJson(json, maxInflatedBytes);
    }

    // ---------------------------------------------------------------- files

    @Override
    public String fileKey(String token, String nodeId) {
        return SignedFiles.keyOf(token, nodeId);
    }

    @Override
    public byte[] writeFile(Packet packet, String key) {
        return SignedFiles.write(toJson(packet), key);
    }

    @Override
    public SyncFile readFile(byte[] file, long maxInflatedBytes) {
        String signature = SignedFiles.signature(file);
        byte[] inflated = Gzip.inflate(file, maxInflatedBytes);
        return new SyncFile(fromJson(inflated), inflated, signature);
    }

    @Override
    public boolean verifyFile(SyncFile file, String key) {
        return file.signature() != null && SignedFiles.verify(file.json(), file.signature(), key);
    }

    @Override
    public void validate(Packet packet) {
        int theirs;
        try {
            theirs = SyncProtocol.majorVersion(packet.schemaVersion());
        } catch (IllegalArgumentException e) {
            throw PacketFields.invalid("schema_version '" + Wire.abbreviate(packet.schemaVersion()) + "' is not a semantic version");
        }
        if (theirs != SyncProtocol.majorVersion(schemaVersion)) {
            throw new PacketException(PacketException.SCHEMA_INCOMPATIBLE, "the packet's schema version "
                    + packet.schemaVersion() + " is incompatible with this node's " + schemaVersion);
        }
        if (packet.changes().size() > maxChanges) {
            throw new PacketException(PacketException.TOO_LARGE, "at most " + maxChanges + " changes per packet");
        }
    }

    private static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
