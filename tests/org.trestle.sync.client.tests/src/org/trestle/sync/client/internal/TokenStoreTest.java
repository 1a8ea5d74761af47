package org.trestle.sync.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token lives in Equinox secure storage, encrypted, never in a readable file. */
class TokenStoreTest {

    @TempDir
    Path runtime;

    @Test
    void aTokenIsStoredEncryptedAndReadBackByANewStore() throws Exception {
        TokenStore store = new TokenStore(runtime);
        assertNull(store.token());
        String token = "j3k2NuVaiZgxOejFd3WFUyIqVzc0MjT1FriH0GKCyn0";
        store.setToken(token);
        assertEquals(token, new TokenStore(runtime).token(), "a later start reads the same token");
        try (Stream<Path> files = Files.walk(runtime)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertFalse(Files.readString(f, StandardCharsets.ISO_8859_1).contains(token), f + " holds the token in clear");
            }
        }
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(runtime.resolve("secure-storage.key")));
    }
}
