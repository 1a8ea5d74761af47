package org.trestle.sync.persistence;

/**
 * A local store could not be opened or used. The message says what a person can do.
 *
 * @since 0.1
 */
public class StoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
