package org.trestle.sync.api.packet;

/**
 * A sync file as read from disk: one packet, GZIP-compressed JSON, with the signature its
 * writer put in the GZIP header. Check it with
 * {@link org.trestle.sync.api.PacketManager#verifyFile} before applying the packet.
 *
 * @param packet    the packet it holds
 * @param json      the packet's JSON as signed
 * @param signature the signature, or {@code null} when the file carries none
 * @since 0.1
 */
public record SyncFile(Packet packet, byte[] json, String signature) {
}
