package org.trestle.sync.client.internal;

import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;

import javax.crypto.spec.PBEKeySpec;

import org.eclipse.equinox.security.storage.ISecurePreferences;
import org.eclipse.equinox.security.storage.SecurePreferencesFactory;
import org.eclipse.equinox.security.storage.StorageException;
import org.eclipse.equinox.security.storage.provider.IProviderHints;

/**
 * Keeps the node's auth token in Equinox secure storage, encrypted, in the data
 * directory. The storage key is random per data directory and readable by its owner
 * only, so the token never sits in plain preferences and never asks for a password.
 */
final class TokenStore {

    private static final String NODE = "org.trestle.sync.client";
    private static final String TOKEN = "authToken";
    private static final String DATABASE_KEY = "databaseKey";

    private final ISecurePreferences root;

    TokenStore(Path runtimeDirectory) throws IOException {
        Files.createDirectories(runtimeDirectory);
        Path keyFile = runtimeDirectory.resolve("secure-storage.key");
        if (!Files.exists(keyFile)) {
            byte[] bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
            try {
                Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(keyFile);
            }
            Files.writeString(keyFile, HexFormat.of().formatHex(bytes), StandardCharsets.UTF_8);
        }
        char[] password = Files.readString(keyFile, StandardCharsets.UTF_8).trim().toCharArray();
        URL location = runtimeDirectory.resolve("secure_storage").toUri().toURL();
        root = SecurePreferencesFactory.open(location, Map.of(IProviderHints.DEFAULT_PASSWORD, new PBEKeySpec(password),
                IProviderHints.PROMPT_USER, Boolean.FALSE));
        if (root == null) {
            throw new IOException("Equinox secure storage could not be opened in " + runtimeDirectory);
        }
    }

    String token() {
        try {
            return root.node(NODE).get(TOKEN, null);
        } catch (StorageException e) {
            return null;
        }
    }

    /**
     * @return the key the node's database is encrypted with at rest: 256 random bits, made
     *         on first use and kept here, encrypted, never beside the database in plain
     */
    String databaseKey() throws IOException {
        try {
            ISecurePreferences node = root.node(NODE);
            String key = node.get(DATABASE_KEY, null);
            if (key == null) {
                byte[] bytes = new byte[32];
                new SecureRandom().nextBytes(bytes);
                key = HexFormat.of().formatHex(bytes);
                node.put(DATABASE_KEY, key, true);
                root.flush();
            }
            return key;
        } catch (StorageException e) {
            throw new IOException("The database key could not be read from secure storage: " + e.getMessage(), e);
        }
    }

    void setToken(String token) throws IOException {
        try {
            root.node(NODE).put(TOKEN, token, true);
            root.flush();
        } catch (StorageException e) {
            throw new IOException("The token could not be stored: " + e.getMessage(), e);
        }
    }
}
