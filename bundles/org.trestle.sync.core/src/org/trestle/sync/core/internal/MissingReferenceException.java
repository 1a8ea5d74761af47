package org.trestle.sync.core.internal;

/** A change references an entity this node does not have yet: hold the change. */
final class MissingReferenceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    final String missingUuid;

    MissingReferenceException(String missingUuid) {
        super("references " + missingUuid + ", which has not arrived yet", null, false, false);
        this.missingUuid = missingUuid;
    }
}
