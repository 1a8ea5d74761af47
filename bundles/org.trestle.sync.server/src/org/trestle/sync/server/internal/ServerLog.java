package org.trestle.sync.server.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.ConsoleHandler;
import java.util.logging.FileHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;

/**
 * The server's log: one line per record to standard output and to rotating files in
 * {@code <data>/logs/}. Jetty logs through SLF4J, which the product binds to
 * java.util.logging, so its records land here too.
 */
final class ServerLog implements AutoCloseable {

    private static final String FORMAT_PROPERTY = "java.util.logging.SimpleFormatter.format";

    private final Logger root = Logger.getLogger("");
    private final List<Handler> added;
    private final List<Handler> removed;

    private ServerLog(List<Handler> added, List<Handler> removed) {
        this.added = added;
        this.removed = removed;
    }

    static ServerLog install(Path dataDirectory) throws IOException {
        if (System.getProperty(FORMAT_PROPERTY) == null) {
            System.setProperty(FORMAT_PROPERTY, "%1$tFT%1$tT.%1$tLZ %4$s [%3$s] %5$s%6$s%n");
        }
        Path logs = dataDirectory.resolve("logs");
        Files.createDirectories(logs);
        FileHandler file = new FileHandler(logs.resolve("server.%g.log").toString(), 10 * 1024 * 1024, 5, true);
        file.setFormatter(new SimpleFormatter());
        Handler console = new StdoutHandler(System.out);
        Logger root = Logger.getLogger("");
        List<Handler> consoles = List.of(root.getHandlers()).stream().filter(h -> h instanceof ConsoleHandler).toList();
        consoles.forEach(root::removeHandler);
        root.addHandler(console);
        root.addHandler(file);
        return new ServerLog(List.of(console, file), consoles);
    }

    @Override
    public void close() {
        for (Handler handler : added) {
            root.removeHandler(handler);
            handler.close();
        }
        removed.forEach(root::addHandler);
    }

    /** A console handler on standard output that flushes every record. */
    private static final class StdoutHandler extends StreamHandler {
        StdoutHandler(PrintStream out) {
            super(out, new SimpleFormatter());
            setLevel(Level.INFO);
        }

        @Override
        public synchronized void publish(LogRecord record) {
            super.publish(record);
            flush();
        }

        @Override
        public synchronized void close() {
            flush(); // never close standard output
        }
    }
}
