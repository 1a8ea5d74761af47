package org.trestle.sync.api;

import org.trestle.sync.api.packet.ExchangeAnswer;
import org.trestle.sync.api.packet.Packet;

/**
 * How a client's packet reaches its server and the answer comes back: HTTP(S) in the
 * shipped client, a file or an in-process call in tools and tests. The exchange loop
 * ({@link SyncManager#synchronize}) is the same over every transport.
 *
 * @since 0.1
 */
public interface SyncTransport {

    /**
     * What one exchange carried.
     *
     * @param answer        the server's answer
     * @param bytesSent     the request's size on the wire
     * @param bytesReceived the answer's size on the wire
     */
    record Delivery(ExchangeAnswer answer, long bytesSent, long bytesReceived) {
    }

    /**
     * Sends this node's packet to the server and returns its answer.
     *
     * @throws SyncException when the server cannot be reached or refuses; the status says
     *                       what the client is now. Nothing was applied here.
     */
    Delivery exchange(Packet packet) throws SyncException;
}
