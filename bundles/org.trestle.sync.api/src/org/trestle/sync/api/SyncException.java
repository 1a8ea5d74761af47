package org.trestle.sync.api;

/**
 * A synchronization could not be done. {@link #status()} says what the client is now:
 * {@code OFFLINE} (try again later, nothing is lost), {@code REREGISTER} or
 * {@code INCOMPATIBLE}.
 *
 * @since 0.1
 */
public class SyncException extends Exception {

    private static final long serialVersionUID = 1L;

    private final SyncStatus status;

    public SyncException(SyncStatus status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public SyncStatus status() {
        return status;
    }
}
