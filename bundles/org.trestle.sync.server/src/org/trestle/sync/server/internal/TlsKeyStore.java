package org.trestle.sync.server.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The server's TLS identity: a self-signed certificate generated on first start into
 * {@code <data>/tls/}, with a random keystore password kept beside it (readable by the
 * owner only). Its SHA-256 fingerprint is what clients pin.
 */
public final class TlsKeyStore {

    static final String ALIAS = "trestle-server";

    private final Path keyStore;
    private final String password;
    private final String fingerprint;

    private TlsKeyStore(Path keyStore, String password, String fingerprint) {
        this.keyStore = keyStore;
        this.password = password;
        this.fingerprint = fingerprint;
    }

    public Path path() {
        return keyStore;
    }

    public String password() {
        return password;
    }

    /** @return the certificate's SHA-256 fingerprint as colon-separated upper-case hex */
    public String fingerprint() {
        return fingerprint;
    }

    /**
     * Loads the keystore of a data directory, generating it first when there is none.
     *
     * @throws IOException when it cannot be generated or read, with the reason
     */
    public static TlsKeyStore ensure(Path dataDirectory, String hostName) throws IOException {
        Path dir = dataDirectory.resolve("tls");
        Path store = dir.resolve("server.p12");
        Path passwordFile = dir.resolve("keystore.password");
        if (!Files.exists(store)) {
            Files.createDirectories(dir);
            String password = randomPassword();
            writeOwnerOnly(passwordFile, password);
            generate(store, password, hostName);
        }
        if (!Files.exists(passwordFile)) {
            throw new IOException("The keystore " + store + " exists but its password file " + passwordFile
                    + " is missing; remove the tls folder to generate a new certificate");
        }
        String password = Files.readString(passwordFile, StandardCharsets.UTF_8).trim();
        return new TlsKeyStore(store, password, readFingerprint(store, password));
    }

    private static void generate(Path store, String password, String hostName) throws IOException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new ArrayList<>(List.of(keytool.toString(), "-genkeypair", "-alias", ALIAS,
                "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA", "-validity", "3650",
                "-dname", "CN=" + hostName + ", O=Trestle",
                "-ext", "SAN=dns:" + hostName + ",dns:localhost,ip:127.0.0.1,ip:::1",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass:env", "TRESTLE_KEYSTORE_PASSWORD"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("TRESTLE_KEYSTORE_PASSWORD", password);
        Process process = builder.start();
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                Files.deleteIfExists(store);
                throw new IOException("Could not generate the server certificate with " + keytool + ": " + output.trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while generating the server certificate", e);
        }
    }

    private static String readFingerprint(Path store, String password) throws IOException {
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(in, password.toCharArray());
            Certificate certificate = keys.getCertificate(ALIAS);
            if (certificate == null) {
                throw new IOException("The keystore " + store + " holds no certificate named " + ALIAS);
            }
            return fingerprintOf(certificate.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IOException("Cannot read the keystore " + store + ": " + e.getMessage(), e);
        }
    }

    /** @return SHA-256 of the DER encoding, as {@code AB:CD:...} */
    public static String fingerprintOf(byte[] der) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(der);
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static String randomPassword() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    static void writeOwnerOnly(Path file, String content) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, content + "\n", StandardCharsets.UTF_8);
    }
}
