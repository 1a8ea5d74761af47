package org.trestle.sync.client.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.trestle.sync.api.PacketManager;
import org.trestle.sync.api.ProcessResult;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.api.SyncException;
import org.trestle.sync.api.SyncStatus;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.api.packet.PacketException;
import org.trestle.sync.api.packet.SyncFile;

/**
 * Synchronizing without a network: this node's pending changes written into a signed
 * file for the server, and the server's signed answer applied from one. Files are
 * signed with a key derived from the node's token, so a file edited by hand or written
 * for another computer is refused before anything of it applies.
 */
final class SyncFiles {

    static final long MAX_FILE_BYTES = 256L << 20;

    private final SyncEngine engine;
    private final TokenStore tokens;

    SyncFiles(SyncEngine engine, TokenStore tokens) {
        this.engine = engine;
        this.tokens = tokens;
    }

    int exportPending(Path file) throws SyncException {
        String server = engine.syncManager().serverNodeId();
        if (server == null) {
            throw new SyncException(SyncStatus.UNREGISTERED, "Register first: an export is addressed to the server", null);
        }
        String token = tokens.token();
        if (token == null) {
            throw new SyncException(SyncStatus.REREGISTER, "Register again: without its token this node cannot sign a file",
                    null);
        }
        PacketManager packets = engine.packetManager();
        Packet packet = engine.syncManager().buildPacket(server);
        try {
            Files.write(file, packets.writeFile(packet, packets.fileKey(token, engine.self().nodeId())));
        } catch (IOException e) {
            throw new SyncException(null, "Cannot write " + file + ": " + e.getMessage(), e);
        }
        return packet.changes().size();
    }

    ProcessResult importFile(Path file) throws SyncException {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new SyncException(null, file + " is larger than " + MAX_FILE_BYTES + " bytes", null);
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new SyncException(null, "Cannot read " + file + ": " + e.getMessage(), e);
        }
        String token = tokens.token();
        if (token == null) {
            throw new SyncException(SyncStatus.REREGISTER, "Register again: without its token this node cannot check a file",
                    null);
        }
        PacketManager packets = engine.packetManager();
        try {
            SyncFile read = packets.readFile(bytes, MAX_FILE_BYTES);
            if (read.signature() == null) {
                throw new SyncException(null, file + " is not signed: only files the server wrote for this computer are"
                        + " imported. Nothing was imported.", null);
            }
            if (!packets.verifyFile(read, packets.fileKey(token, engine.self().nodeId()))) {
                throw new SyncException(null, file + " does not match its signature: it was changed after the server"
                        + " wrote it, or it was written for another computer. Nothing was imported.", null);
            }
            if (!read.packet().sender().equals(engine.syncManager().serverNodeId())) {
                throw new SyncException(null, file + " was not made by this node's server", null);
            }
            return engine.syncManager().processPacket(read.packet());
        } catch (PacketException e) {
            throw new SyncException(null, file + " is not a valid sync file: " + e.getMessage(), e);
        }
    }
}
