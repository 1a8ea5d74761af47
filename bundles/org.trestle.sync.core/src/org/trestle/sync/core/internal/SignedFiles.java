package org.trestle.sync.core.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Sync files (one packet, GZIP-compressed JSON) signed with an HMAC-SHA256 of the JSON.
 * The signature travels in the GZIP header's comment field, which every GZIP reader
 * skips, so a signed file is still exactly the file PROTOCOL.md describes. The key is
 * derived from the node's token ({@link #keyOf}): the node and the server know it, a
 * reader of the server's database or of a backup does not. A file edited by
 * hand (and compressed again) loses or breaks its signature.
 */
public final class SignedFiles {

    private static final String PREFIX = "trestle-hmac-sha256=";
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;

    private SignedFiles() {
    }

    /**
     * @return the key a node's files are signed with: the HMAC-SHA256 of a label naming the
     *         node, keyed with its token. It reveals nothing of the token, and the token's
     *         stored hash reveals nothing of it: only the node and the server (which seals
     *         its copy with a key of its own, outside the database) can sign a file.
     */
    public static String keyOf(String token, String nodeId) {
        return hmac(("trestle-file-key/v2:" + nodeId).getBytes(StandardCharsets.UTF_8), token);
    }

    /** @return the JSON compressed as GZIP, its signature in the header's comment */
    public static byte[] write(byte[] json, String key) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(128, json.length / 4));
        out.writeBytes(new byte[] { 0x1f, (byte) 0x8b, 8, FCOMMENT, 0, 0, 0, 0, 0, (byte) 255 });
        out.writeBytes((PREFIX + hmac(json, key)).getBytes(StandardCharsets.ISO_8859_1));
        out.write(0);
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        try {
            deflater.setInput(json);
            deflater.finish();
            byte[] buffer = new byte[16384];
            while (!deflater.finished()) {
                int n = deflater.deflate(buffer);
                out.write(buffer, 0, n);
            }
        } finally {
            deflater.end();
        }
        CRC32 crc = new CRC32();
        crc.update(json);
        writeIntLe(out, (int) crc.getValue());
        writeIntLe(out, json.length);
        return out.toByteArray();
    }

    /** @return the signature in the file's GZIP header, or {@code null} when there is none */
    public static String signature(byte[] gzip) {
        if (gzip.length < 10 || (gzip[0] & 0xff) != 0x1f || (gzip[1] & 0xff) != 0x8b) {
            return null;
        }
        int flags = gzip[3] & 0xff;
        int pos = 10;
        if ((flags & FEXTRA) != 0) {
            if (pos + 2 > gzip.length) {
                return null;
            }
            pos += 2 + ((gzip[pos] & 0xff) | (gzip[pos + 1] & 0xff) << 8);
        }
        if ((flags & FNAME) != 0) {
            while (pos < gzip.length && gzip[pos] != 0) {
                pos++;
            }
            pos++;
        }
        if ((flags & FCOMMENT) == 0 || pos >= gzip.length) {
            return null;
        }
        int start = pos;
        while (pos < gzip.length && gzip[pos] != 0 && pos - start < 200) {
            pos++;
        }
        String comment = new String(gzip, start, pos - start, StandardCharsets.ISO_8859_1);
        return comment.startsWith(PREFIX) ? comment.substring(PREFIX.length()) : null;
    }

    /** @return whether {@code signature} is the HMAC of {@code json} with {@code key} (compared in constant time) */
    public static boolean verify(byte[] json, String signature, String key) {
        return signature != null && MessageDigest.isEqual(hmac(json, key).getBytes(StandardCharsets.ISO_8859_1),
                signature.getBytes(StandardCharsets.ISO_8859_1));
    }

    static String hmac(byte[] json, String key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(json));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void writeIntLe(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }
}
