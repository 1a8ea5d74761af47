package org.trestle.sync.client.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.FileHandler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * The client's log file, {@code <data>/logs/client.N.log}, for support to read after the
 * fact. Trestle logs through SLF4J, which both products bind to java.util.logging; this
 * adds a rotating file to the {@code org.trestle} loggers for as long as the sync service
 * runs, so the workbench and the command line keep their records beside their data.
 */
final class ClientLog implements AutoCloseable {

    private static final String FORMAT_PROPERTY = "java.util.logging.SimpleFormatter.format";

    private final Logger logger = Logger.getLogger("org.trestle");
    private final FileHandler file;

    private ClientLog(FileHandler file) {
        this.file = file;
    }

    /** @return the installed log, or {@code null} when the folder cannot be written (records still reach the console) */
    static ClientLog install(Path dataDirectory) {
        if (System.getProperty(FORMAT_PROPERTY) == null) {
            System.setProperty(FORMAT_PROPERTY, "%1$tFT%1$tT.%1$tLZ %4$s [%3$s] %5$s%6$s%n");
        }
        try {
            Path logs = dataDirectory.resolve("logs");
            Files.createDirectories(logs);
            FileHandler file = new FileHandler(logs.resolve("client.%g.log").toString(), 5 * 1024 * 1024, 3, true);
            file.setFormatter(new SimpleFormatter());
            file.setLevel(Level.INFO);
            ClientLog log = new ClientLog(file);
            log.logger.addHandler(file);
            return log;
        } catch (IOException | RuntimeException e) {
            Logger.getLogger(ClientLog.class.getName()).warning("No log file in " + dataDirectory + ": " + e);
            return null;
        }
    }

    @Override
    public void close() {
        logger.removeHandler(file);
        file.close();
    }
}
