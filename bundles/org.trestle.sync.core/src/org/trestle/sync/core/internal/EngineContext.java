package org.trestle.sync.core.internal;

/** What the change capture needs to know of its engine. */
interface EngineContext {

    EntityCodec codec();

    String selfId();

    /** @return the server's node id on a client, {@code null} on the server or before setup */
    String serverId();

    boolean isServer();

    /** @return whether a change that came from {@code origin} must be logged for some other node */
    boolean shouldLog(String origin);
}
