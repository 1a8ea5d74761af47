package org.trestle.sync.api;

/**
 * Where the client's synchronization stands.
 *
 * @since 0.1
 */
public enum SyncStatus {
    /** Not registered with a server yet: everything works locally. */
    UNREGISTERED,
    /** The last exchange with the server succeeded. */
    ONLINE,
    /** The server could not be reached; edits are kept and sent later. */
    OFFLINE,
    /** An exchange is running. */
    SYNCING,
    /** The server no longer accepts this node's token: register again. */
    REREGISTER,
    /** The server speaks an incompatible schema: update the workbench. */
    INCOMPATIBLE
}
