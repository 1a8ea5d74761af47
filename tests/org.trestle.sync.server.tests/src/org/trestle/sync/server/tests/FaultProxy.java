package org.trestle.sync.server.tests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * A TCP proxy on loopback between clients and the server that breaks HTTP exchanges on
 * purpose: it drops the connection before or after the request reached the server,
 * truncates the answer, delays it, or sends the request twice. One request per
 * connection. The faults come from a seeded random, so a failing run can be replayed.
 */
final class FaultProxy implements AutoCloseable {

    enum Fault { NONE, DROP_BEFORE_REQUEST, DROP_AFTER_REQUEST, TRUNCATE_RESPONSE, DELAY, REPLAY }

    private final ServerSocket socket;
    private final int target;
    private final Random random;
    private final Map<Fault, Integer> injected = new EnumMap<>(Fault.class);
    private volatile boolean faults = true;
    private final Thread acceptor;

    FaultProxy(int targetPort, long seed) throws IOException {
        this.target = targetPort;
        this.random = new Random(seed);
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofPlatform().daemon().start(this::accept);
    }

    int port() {
        return socket.getLocalPort();
    }

    void faults(boolean on) {
        faults = on;
    }

    synchronized Map<Fault, Integer> injected() {
        return new EnumMap<>(injected);
    }

    private synchronized Fault next() {
        Fault f = !faults ? Fault.NONE : Fault.values()[random.nextInt(Fault.values().length)];
        injected.merge(f, 1, Integer::sum);
        return f;
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                Thread.ofVirtual().start(() -> serve(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            byte[] request = readRequest(client.getInputStream());
            if (request == null) {
                return;
            }
            Fault fault = next();
            if (fault == Fault.DROP_BEFORE_REQUEST) {
                return;
            }
            if (fault == Fault.DELAY) {
                Thread.sleep(50 + random(150));
            }
            byte[] response = forward(request);
            if (fault == Fault.REPLAY) {
                response = forward(request);
            }
            OutputStream out = client.getOutputStream();
            if (fault == Fault.DROP_AFTER_REQUEST) {
                return;
            }
            if (fault == Fault.TRUNCATE_RESPONSE) {
                out.write(response, 0, response.length / 2);
                out.flush();
                return;
            }
            out.write(response);
            out.flush();
        } catch (IOException | InterruptedException e) {
            // the client sees a broken connection, which is what a fault is
        }
    }

    private synchronized int random(int bound) {
        return random.nextInt(bound);
    }

    /** Sends the request to the server on a connection of its own and reads the whole answer. */
    private byte[] forward(byte[] request) throws IOException {
        try (Socket server = new Socket(InetAddress.getLoopbackAddress(), target)) {
            server.getOutputStream().write(request);
            server.getOutputStream().flush();
            return server.getInputStream().readAllBytes();
        }
    }

    /** Reads one HTTP request (headers and a Content-Length body) and asks for the connection to close after it. */
    private static byte[] readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while (matched < 4 && (b = in.read()) >= 0) {
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : 0;
            if (head.size() > 65536) {
                return null;
            }
        }
        if (matched < 4) {
            return null;
        }
        String headers = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        StringBuilder rewritten = new StringBuilder();
        for (String line : headers.split("\r\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
            if (lower.startsWith("connection:") || lower.startsWith("upgrade:") || lower.startsWith("http2-settings:")) {
                continue;
            }
            rewritten.append(line).append("\r\n");
        }
        rewritten.append("Connection: close\r\n\r\n");
        byte[] body = in.readNBytes(length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(rewritten.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(body);
        return out.toByteArray();
    }

    @Override
    public void close() throws IOException {
        socket.close();
        acceptor.interrupt();
    }
}
