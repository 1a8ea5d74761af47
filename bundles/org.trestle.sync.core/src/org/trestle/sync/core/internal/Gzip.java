package org.trestle.sync.core.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

import org.trestle.sync.api.packet.PacketException;

/**
 * GZIP of whole byte arrays, as packets, answers and sync files travel: inflating stops
 * as soon as the output passes a limit, so that a GZIP bomb costs no more than the limit.
 */
public final class Gzip {

    private Gzip() {
    }

    /** @return the bytes compressed with GZIP at the default level */
    public static byte[] compress(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, bytes.length / 4));
        try (OutputStream gz = new GZIPOutputStream(out, 8192)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /**
     * Inflates GZIP bytes, stopping as soon as the output passes the limit.
     *
     * @throws PacketException {@code too_large} past the limit, {@code invalid_packet} for bad GZIP
     */
    public static byte[] inflate(byte[] gzip, long maxInflatedBytes) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip), 8192)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(gzip.length * 4, 1 << 20));
            byte[] buffer = new byte[16384];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > maxInflatedBytes) {
                    throw new PacketException(PacketException.TOO_LARGE,
                            "the packet inflates past the limit of " + maxInflatedBytes + " bytes");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (ZipException | EOFException e) {
            throw new PacketException(PacketException.INVALID, "the packet is not valid GZIP: " + e.getMessage());
        } catch (IOException e) {
            throw new PacketException(PacketException.INVALID, "the packet could not be inflated: " + e.getMessage());
        }
    }
}
