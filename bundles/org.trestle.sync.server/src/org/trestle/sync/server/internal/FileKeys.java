package org.trestle.sync.server.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals the keys nodes sign their sync files with, so that the database holds them only
 * encrypted: AES-256-GCM under the server's own secret ({@code file-key.secret} in the data
 * directory, mode 600, never in the database or its backups), bound to the node's id. A
 * copy of the database alone forges no file.
 */
final class FileKeys {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int IV_BYTES = 12;

    private final SecretKeySpec key;

    FileKeys(String secret) {
        try {
            key = new SecretKeySpec(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)),
                    "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the file key sealed for this node, as hex of the nonce and the ciphertext */
    String seal(String nodeId, String fileKey) {
        try {
            byte[] iv = new byte[IV_BYTES];
            RANDOM.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            cipher.updateAAD(nodeId.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(fileKey.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(iv) + HexFormat.of().formatHex(sealed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @return the node's file key
     * @throws IllegalStateException when the sealed key was made for another node, under
     *                               another secret, or changed
     */
    String unseal(String nodeId, String sealed) {
        try {
            byte[] all = HexFormat.of().parseHex(sealed);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, IV_BYTES));
            cipher.updateAAD(nodeId.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(all, IV_BYTES, all.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("the file key of node " + nodeId + " cannot be opened with this server's "
                    + "file-key.secret", e);
        }
    }
}
