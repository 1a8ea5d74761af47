package org.trestle.sync.api;

import org.trestle.sync.api.packet.ExchangeAnswer;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.api.packet.SyncFile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The one owner of the wire format: packets, the exchange answer, GZIP and sync files.
 * Parsing is bounded (nesting, string and number lengths, inflated size), so hostile
 * input is refused before it costs memory.
 *
 * @since 0.1
 */
public interface PacketManager {

    /** @return the packet as UTF-8 JSON */
    byte[] toJson(Packet packet);

    /** @return the packet as a JSON tree */
    ObjectNode toTree(Packet packet);

    /**
     * Parses and validates packet JSON.
     *
     * @throws org.trestle.sync.api.packet.PacketException {@code invalid_packet} with the reason
     */
    Packet fromJson(byte[] json);

    /**
     * Reads a packet from a JSON tree.
     *
     * @throws org.trestle.sync.api.packet.PacketException {@code invalid_packet} with the reason
     */
    Packet fromTree(JsonNode tree);

    /** @return the GZIP-compressed JSON of the packet */
    byte[] compress(Packet packet);

    /**
     * Inflates and parses a GZIP packet, refusing it once it inflates past the limit.
     *
     * @throws org.trestle.sync.api.packet.PacketException {@code too_large} or {@code invalid_packet}
     */
    Packet decompress(byte[] gzip, long maxInflatedBytes);

    /**
     * Inflates and parses a GZIP packet as a stream, telling {@code reserve} of each
     * megabyte inflated before it is parsed, so that a server can bound what all the
     * packets it parses at once may cost; {@code reserve} refuses by throwing.
     *
     * @throws org.trestle.sync.api.packet.PacketException {@code too_large} or {@code invalid_packet}
     */
    Packet decompress(byte[] gzip, long maxInflatedBytes, java.util.function.LongConsumer reserve);

    /**
     * Checks what the JSON shape cannot: the schema's major version and the changes.
     *
     * @throws org.trestle.sync.api.packet.PacketException naming the first problem
     */
    void validate(Packet packet);

    /** @return the bytes GZIP-compressed */
    byte[] gzip(byte[] bytes);

    /**
     * Inflates GZIP bytes, stopping as soon as the output passes the limit.
     *
     * @throws org.trestle.sync.api.packet.PacketException {@code too_large} past the limit,
     *         {@code invalid_packet} for bad GZIP
     */
    byte[] inflate(byte[] gzip, long maxInflatedBytes);

    /**
     * Writes the exchange answer's JSON, its fields in the protocol's order.
     *
     * @param hexPacket whether the packet goes as the hex of its GZIP (the answer to a hex
     *                  request) rather than as an object
     */
    byte[] answerToJson(ExchangeAnswer answer, boolean hexPacket);

    /**
     * Reads an exchange answer whose packet is an object or the hex of its GZIP.
     *
     * @throws org.trestle.sync.api.packet.PacketException {@code invalid_packet} when it is
     *         not an answer of the protocol
     */
    ExchangeAnswer answerFromJson(byte[] json, long maxInflatedBytes);

    /**
     * @return the key a node's sync files are signed with, derived from its token and id; it
     *         cannot be computed from the token's stored hash
     */
    String fileKey(String token, String nodeId);

    /** @return a sync file: the packet as GZIP JSON, signed with the key */
    byte[] writeFile(Packet packet, String key);

    /**
     * Reads a sync file without trusting it yet.
     *
     * @throws org.trestle.sync.api.packet.PacketException {@code too_large} or {@code invalid_packet}
     */
    SyncFile readFile(byte[] file, long maxInflatedBytes);

    /** @return whether the file carries a signature that matches its JSON under this key */
    boolean verifyFile(SyncFile file, String key);
}
