package org.trestle.sync.api;

import org.trestle.sync.api.packet.Packet;

/**
 * Packet encoding: JSON, GZIP, validation and statistics.
 *
 * @since 0.1
 */
public interface PacketManager {

    /** @return the packet as UTF-8 JSON */
    byte[] toJson(Packet packet);

    /**
     * Parses and validates packet JSON.
     *
     * @throws org.trestle.sync.api.packet.PacketException {@code invalid_packet} with the reason
     */
    Packet fromJson(byte[] json);

    /** @return the GZIP-compressed JSON of the packet */
    byte[] compress(Packet packet);

    /**
     * Inflates and parses a GZIP packet, refusing it once it inflates past the limit.
     *
     * @throws org.trestle.sync.api.packet.PacketException {@code too_large} or {@code invalid_packet}
     */
    Packet decompress(byte[] gzip, long maxInflatedBytes);

    /**
     * Checks what the JSON shape cannot: the schema's major version and the changes.
     *
     * @throws org.trestle.sync.api.packet.PacketException naming the first problem
     */
    void validate(Packet packet);
}
