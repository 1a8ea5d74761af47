package org.trestle.sync.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.trestle.sync.server.internal.ServerSettings;

class ServerSettingsTest {

    @Test
    void defaultsAreHttpsOnAllAddressesAtPort8443() {
        ServerSettings settings = ServerSettings.from(Map.<String, String>of()::get);
        assertFalse(settings.plainHttp());
        assertEquals(8443, settings.port());
        assertEquals("0.0.0.0", settings.host());
        assertEquals(Path.of(System.getProperty("user.home"), ".trestle", "server"), settings.dataDirectory());
    }

    @Test
    void plainHttpListensOnLoopbackUnlessToldOtherwise() {
        ServerSettings settings = ServerSettings.from(Map.of(ServerSettings.HTTP, "true", ServerSettings.PORT, "18080")::get);
        assertTrue(settings.plainHttp());
        assertEquals("127.0.0.1", settings.host());
        assertEquals(18080, settings.port());
    }

    @Test
    void badValuesNameTheSetting() {
        var badPort = assertThrows(IllegalArgumentException.class,
                () -> ServerSettings.from(Map.of(ServerSettings.PORT, "80a")::get));
        assertTrue(badPort.getMessage().contains("80a"), badPort.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ServerSettings.from(Map.of(ServerSettings.PORT, "70000")::get));
        var badFlag = assertThrows(IllegalArgumentException.class,
                () -> ServerSettings.from(Map.of(ServerSettings.HTTP, "maybe")::get));
        assertTrue(badFlag.getMessage().contains(ServerSettings.HTTP), badFlag.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ServerSettings.from(Map.of(ServerSettings.SCHEMA_VERSION, "one")::get));
    }
}
