package org.trestle.sync.server.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Secrets: random tokens, their hashes, constant-time comparison, and the server's own
 * keys kept in files readable by the owner only.
 */
public final class Secrets {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {
    }

    /** @return 256 random bits, URL-safe base64 without padding */
    public static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * @return the SHA-256 of a token, in hex. Tokens carry 256 random bits, so a plain
     *         hash is enough to make the stored form useless to a reader of the database.
     */
    public static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compares two secrets in time that does not depend on where they differ. */
    public static boolean matches(String given, String expected) {
        if (given == null || expected == null) {
            return false;
        }
        return MessageDigest.isEqual(hash(given).getBytes(StandardCharsets.US_ASCII),
                hash(expected).getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The configured secret, else the one stored in the file, else a new one written to
     * the file (mode 600).
     *
     * @return the secret and whether it was generated now
     */
    public static Stored loadOrCreate(String configured, Path file) throws IOException {
        if (configured != null && !configured.isBlank()) {
            return new Stored(configured.trim(), false);
        }
        if (Files.isRegularFile(file)) {
            String stored = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (!stored.isEmpty()) {
                return new Stored(stored, false);
            }
        }
        String created = newToken();
        TlsKeyStore.writeOwnerOnly(file, created);
        return new Stored(created, true);
    }

    /** A secret and whether it was just generated. */
    public record Stored(String value, boolean generated) {
    }
}
