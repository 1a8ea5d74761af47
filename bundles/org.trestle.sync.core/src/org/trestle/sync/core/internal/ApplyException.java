package org.trestle.sync.core.internal;

/** A change cannot be applied; {@link #code} goes into the exchange's {@code errors}. */
final class ApplyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    final String code;

    ApplyException(String code, String message) {
        super(message);
        this.code = code;
    }
}
