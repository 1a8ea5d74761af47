package org.trestle.sync.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trestle.sync.server.internal.ServerSettings;

class ServerSettingsTest {

    @Test
    void theDatabaseIsEmbeddedUnlessAPostgreSqlUrlIsGivenWithItsPasswordInAFile() throws Exception {
        assertEquals(null, ServerSettings.from(Map.<String, String>of()::get, Map.of()).database());
        Path password = Files.createTempFile("db", ".password");
        Files.writeString(password, "s3cret\n");
        ServerSettings pg = ServerSettings.from(Map.of(ServerSettings.PREFIX + "db-url", "jdbc:postgresql://db:5432/trestle",
                ServerSettings.PREFIX + "db-password-file", password.toString())::get, Map.of("TRESTLE_SERVER_DB_USER", "trestle"));
        assertEquals("jdbc:postgresql://db:5432/trestle", pg.database().url());
        assertEquals("trestle", pg.database().user());
        assertEquals("s3cret", pg.database().password());
        assertFalse(pg.database().toString().contains("s3cret"), "the password is never shown");

        var other = assertThrows(IllegalArgumentException.class, () -> ServerSettings.from(Map.of(
                ServerSettings.PREFIX + "db-url", "jdbc:mysql://db/trestle")::get, Map.of()));
        assertTrue(other.getMessage().contains("jdbc:postgresql://HOST:PORT/DATABASE"), other.getMessage());
        var inUrl = assertThrows(IllegalArgumentException.class, () -> ServerSettings.from(Map.<String, String>of()::get,
                Map.of("TRESTLE_SERVER_DB_URL", "jdbc:postgresql://db/trestle?password=s3cret")));
        assertFalse(inUrl.getMessage().contains("s3cret"), inUrl.getMessage());
        assertTrue(inUrl.getMessage().contains("environment TRESTLE_SERVER_DB_URL"), inUrl.getMessage());
        var noUrl = assertThrows(IllegalArgumentException.class, () -> ServerSettings.from(Map.of(
                ServerSettings.PREFIX + "db-user", "trestle")::get, Map.of()));
        assertTrue(noUrl.getMessage().contains("need db-url"), noUrl.getMessage());
        Files.delete(password);
    }

    @Test
    void defaultsAreHttpsOnAllAddressesAtPort8443() {
        ServerSettings settings = ServerSettings.from(Map.<String, String>of()::get, Map.of());
        assertFalse(settings.plainHttp());
        assertEquals(8443, settings.port());
        assertEquals("0.0.0.0", settings.host());
        assertEquals(Path.of(System.getProperty("user.home"), ".trestle", "server"), settings.dataDirectory());
        assertEquals(Duration.ofDays(30), settings.changeRetention());
        assertEquals(Duration.ofDays(90), settings.errorRetention());
    }

    @Test
    void retentionsAreWholeDays() {
        ServerSettings settings = ServerSettings.from(Map.of(ServerSettings.PREFIX + "change-retention-days", "7")::get,
                Map.of("TRESTLE_SERVER_ERROR_RETENTION_DAYS", "365"));
        assertEquals(Duration.ofDays(7), settings.changeRetention());
        assertEquals(Duration.ofDays(365), settings.errorRetention());
        var negative = assertThrows(IllegalArgumentException.class, () -> ServerSettings.from(Map.of(
                ServerSettings.PREFIX + "change-retention-days", "-1")::get, Map.of()));
        assertTrue(negative.getMessage().contains("change-retention-days"), negative.getMessage());
    }

    @Test
    void plainHttpListensOnLoopbackUnlessToldOtherwise() {
        ServerSettings settings = ServerSettings.from(Map.of(ServerSettings.HTTP, "true", ServerSettings.PORT, "18080")::get, Map.of());
        assertTrue(settings.plainHttp());
        assertEquals("127.0.0.1", settings.host());
        assertEquals(18080, settings.port());
    }

    @Test
    void plainHttpOnAnotherAddressIsRefusedUnlessTheRiskIsAccepted() {
        var refused = assertThrows(IllegalArgumentException.class, () -> ServerSettings.from(Map.of(ServerSettings.HTTP,
                "true", ServerSettings.HOST, "0.0.0.0")::get, Map.of()));
        assertTrue(refused.getMessage().contains("unencrypted") && refused.getMessage().contains("--insecure-http"),
                refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ServerSettings.from(Map.of(ServerSettings.HTTP, "true")::get,
                Map.of("TRESTLE_SERVER_HOST", "192.0.2.10")));
        ServerSettings accepted = ServerSettings.from(Map.of(ServerSettings.HTTP, "true", ServerSettings.HOST, "0.0.0.0",
                ServerSettings.PREFIX + "insecure-http", "true")::get, Map.of());
        assertEquals("0.0.0.0", accepted.host());
        assertTrue(ServerSettings.from(Map.of(ServerSettings.HTTP, "true", ServerSettings.HOST, "::1")::get, Map.of())
                .plainHttp(), "loopback stays allowed");
    }

    @Test
    void secretsComeFromTheEnvironmentOrAFileNotOnlyFromTheCommandLine(@TempDir Path dir)
            throws IOException {
        Path adminFile = dir.resolve("admin.secret");
        Files.writeString(adminFile, "token-from-a-file\n");
        ServerSettings settings = ServerSettings.from(Map.of(ServerSettings.PREFIX + "admin-token-file",
                adminFile.toString())::get, Map.of("TRESTLE_SERVER_ENROLLMENT_KEY", "key-from-the-environment"));
        assertEquals("token-from-a-file", settings.adminToken());
        assertEquals("key-from-the-environment", settings.enrollmentKey());
        var missing = assertThrows(IllegalArgumentException.class, () -> ServerSettings.from(Map.of(
                ServerSettings.PREFIX + "enrollment-key-file", dir.resolve("none").toString())::get, Map.of()));
        assertTrue(missing.getMessage().contains("enrollment-key file"), missing.getMessage());
    }

    @Test
    void badValuesNameTheSetting() {
        var badPort = assertThrows(IllegalArgumentException.class,
                () -> ServerSettings.from(Map.of(ServerSettings.PORT, "80a")::get, Map.of()));
        assertTrue(badPort.getMessage().contains("80a"), badPort.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ServerSettings.from(Map.of(ServerSettings.PORT, "70000")::get, Map.of()));
        var badFlag = assertThrows(IllegalArgumentException.class,
                () -> ServerSettings.from(Map.of(ServerSettings.HTTP, "maybe")::get, Map.of()));
        assertTrue(badFlag.getMessage().contains("http") && badFlag.getMessage().contains("command line"), badFlag.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ServerSettings.from(Map.of(ServerSettings.SCHEMA_VERSION, "one")::get, Map.of()));
    }

    @Test
    void theCommandLineWinsOverTheEnvironmentWhichWinsOverTheFile(@TempDir Path dir)
            throws IOException {
        Files.writeString(dir.resolve("server.properties"), "port=1111\nbatch-size=7\nhost=10.0.0.1\n");
        Map<String, String> env = Map.of("TRESTLE_SERVER_PORT", "2222", "TRESTLE_SERVER_HOST", "127.0.0.2");
        ServerSettings fromAll = ServerSettings.from(Map.of(ServerSettings.DATA_DIR, dir.toString(),
                ServerSettings.PORT, "3333")::get, env);
        assertEquals(3333, fromAll.port());
        assertEquals("127.0.0.2", fromAll.host());
        assertEquals(7, fromAll.batchSize());
        var e = assertThrows(IllegalArgumentException.class, () -> ServerSettings.from(Map.of(ServerSettings.DATA_DIR,
                dir.toString())::get, Map.of("TRESTLE_SERVER_MAX_BODY_BYTES", "lots")));
        assertTrue(e.getMessage().contains("TRESTLE_SERVER_MAX_BODY_BYTES"), e.getMessage());
        assertEquals(16L << 20, fromAll.maxBodyBytes());
        assertEquals(2L << 20, ServerSettings.from(Map.of(ServerSettings.DATA_DIR, dir.toString(),
                "trestle.server.max-body-bytes", "2M")::get, Map.of()).maxBodyBytes());
    }
}
