package org.trestle.sync.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trestle.sync.server.internal.TlsKeyStore;

class TlsKeyStoreTest {

    @TempDir
    Path dataDir;

    @Test
    void aSelfSignedCertificateIsGeneratedOnceAndItsFingerprintIsStable() throws Exception {
        TlsKeyStore first = TlsKeyStore.ensure(dataDir, "site-server");
        assertTrue(first.fingerprint().matches("([0-9A-F]{2}:){31}[0-9A-F]{2}"), first.fingerprint());

        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(first.path())) {
            keys.load(in, first.password().toCharArray());
        }
        X509Certificate certificate = (X509Certificate) keys.getCertificate("trestle-server");
        assertTrue(certificate.getSubjectX500Principal().getName().contains("CN=site-server"));
        assertEquals(TlsKeyStore.fingerprintOf(certificate.getEncoded()), first.fingerprint());

        TlsKeyStore second = TlsKeyStore.ensure(dataDir, "site-server");
        assertEquals(first.fingerprint(), second.fingerprint(), "a restart keeps the certificate clients pinned");
    }

    @Test
    void theKeystorePasswordIsRandomAndReadableByTheOwnerOnly() throws Exception {
        TlsKeyStore one = TlsKeyStore.ensure(dataDir.resolve("a"), "h");
        TlsKeyStore two = TlsKeyStore.ensure(dataDir.resolve("b"), "h");
        assertNotEquals(one.password(), two.password());
        assertTrue(one.password().length() >= 32);
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(dataDir.resolve("a/tls/keystore.password"));
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE), permissions);
    }
}
