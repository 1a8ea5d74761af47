package org.trestle.sync.api.packet;

/**
 * A packet (or its encoding) was refused as a whole. {@link #code()} is the protocol's
 * machine code: {@code invalid_packet}, {@code too_large} or {@code schema_incompatible}.
 *
 * @since 0.1
 */
public class PacketException extends RuntimeException {

    public static final String INVALID = "invalid_packet";
    public static final String TOO_LARGE = "too_large";
    public static final String SCHEMA_INCOMPATIBLE = "schema_incompatible";

    private static final long serialVersionUID = 1L;

    private final String code;

    public PacketException(String code, String message) {
        super(message);
        this.code = code;
    }

    public PacketException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
