package org.trestle.sync.api;

import java.time.Instant;

/**
 * One exchange with the server, for the connection details a person or support reads.
 *
 * @param at               when it completed
 * @param packetSent       the number of the packet this node sent
 * @param changesSent      how many changes it carried
 * @param bytesSent        its size on the wire
 * @param packetReceived   the number of the server's packet
 * @param changesReceived  how many changes that carried
 * @param bytesReceived    its size on the wire
 * @since 0.1
 */
public record ExchangeRecord(Instant at, long packetSent, int changesSent, long bytesSent, long packetReceived,
        int changesReceived, long bytesReceived) {
}
