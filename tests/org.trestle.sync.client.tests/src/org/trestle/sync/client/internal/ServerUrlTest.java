package org.trestle.sync.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.trestle.sync.client.ServerUrl;

/** A token never goes to another computer over plain HTTP. */
class ServerUrlTest {

    @Test
    void httpsGoesAnywhereAndHttpOnlyToThisComputer() {
        assertEquals("sync.example.com", ServerUrl.parse("https://sync.example.com:8443").getHost());
        for (String local : new String[] { "http://127.0.0.1:18080", "http://localhost:1", "http://[::1]:8080",
                "http://127.1.2.3" }) {
            assertEquals("http", ServerUrl.parse(local).getScheme(), local);
        }
        for (String remote : new String[] { "http://sync.example.com", "http://192.0.2.10:8080", "http://0.0.0.0:80",
                "http://[2001:db8::1]:8080", "http://127.0.0.1.example.com" }) {
            var e = assertThrows(IllegalArgumentException.class, () -> ServerUrl.parse(remote), remote);
            assertTrue(e.getMessage().contains("unencrypted") && e.getMessage().contains("https://"), e.getMessage());
        }
    }

    @Test
    void whatIsNoServerUrlIsRefusedInWords() {
        for (String bad : new String[] { "", "sync.example.com", "ftp://sync.example.com", "https://", "https://a b" }) {
            var e = assertThrows(IllegalArgumentException.class, () -> ServerUrl.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("Invalid server URL"), e.getMessage());
        }
    }
}
