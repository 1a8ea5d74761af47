package org.trestle.sync.client;

/**
 * What the server answered to a registration.
 *
 * @param nodeId        the id the server gave this node
 * @param authToken     the node's token, sent with every exchange
 * @param serverNodeId  the server's own node id
 * @param serverVersion the server's version
 * @since 0.1
 */
public record Registration(String nodeId, String authToken, String serverNodeId, String serverVersion) {
}
