package org.trestle.sync.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.NoSuchElementException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.trestle.sync.api.NodeAdministration;
import org.trestle.sync.testing.SyncTestNodes;

/** Admin tokens by name, as hashes; the last valid one cannot be revoked. */
class AdminTokenTest {

    private SyncTestNodes nodes;
    private NodeAdministration admin;

    @BeforeEach
    void start() {
        nodes = SyncTestNodes.start(0);
        admin = nodes.server().administration();
    }

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    void theLastValidTokenCannotBeRevoked() {
        admin.ensureAdminToken("initial", "hash-1");
        admin.createAdminToken("anna", "hash-2");
        assertThrows(IllegalStateException.class, () -> admin.createAdminToken("anna", "hash-3"), "names stay unique");
        assertThrows(IllegalArgumentException.class, () -> admin.createAdminToken("two words", "hash-4"));
        assertTrue(admin.revokeAdminToken("initial").revoked());
        assertTrue(admin.adminTokenByHash("hash-1").isEmpty(), "a revoked token is refused");
        assertThrows(IllegalStateException.class, () -> admin.revokeAdminToken("anna"));
        assertEquals("anna", admin.adminTokenByHash("hash-2").orElseThrow().name());
        assertThrows(NoSuchElementException.class, () -> admin.revokeAdminToken("nobody"));
    }

    @Test
    void theConfiguredTokenStaysRevokedUntilItIsChanged() {
        admin.ensureAdminToken("initial", "hash-1");
        admin.createAdminToken("anna", "hash-2");
        admin.revokeAdminToken("initial");
        admin.ensureAdminToken("initial", "hash-1"); // the next start, same configured token
        assertTrue(admin.adminTokenByHash("hash-1").isEmpty(), "a restart does not bring a revoked token back");
        admin.ensureAdminToken("initial", "hash-9"); // the administrator configured a new one
        assertEquals("initial", admin.adminTokenByHash("hash-9").orElseThrow().name());
        assertEquals(2, admin.adminTokens().size());
    }
}
