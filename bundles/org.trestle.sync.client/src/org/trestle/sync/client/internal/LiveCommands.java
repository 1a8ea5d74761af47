package org.trestle.sync.client.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.trestle.sync.api.EntityStore;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.NodeScope;
import org.trestle.sync.api.SyncException;
import org.trestle.sync.api.SyncService;
import org.trestle.sync.api.SyncTopics;
import org.trestle.sync.api.packet.Wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The commands of {@code trestle-sync} that stay with the server: {@code watch} and {@code scope}. */
final class LiveCommands {

    private final ObjectMapper json = new ObjectMapper();
    private final PrintStream out;
    private final boolean jsonOutput;

    LiveCommands(PrintStream out, boolean jsonOutput) {
        this.out = out;
        this.jsonOutput = jsonOutput;
    }

    /**
     * Keeps the node in sync in the foreground (interval, push, local commits) until the
     * process is asked to stop, printing one line per exchange: what went out, what came in.
     *
     * @param commands runs one line of standard input as a command, while watching; or
     *                 {@code null} to leave standard input alone
     */
    void watch(SyncService service, Consumer<String> commands) throws InterruptedException {
        BundleContext context = FrameworkUtil.getBundle(getClass()).getBundleContext();
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        PrintStream lines = out;
        EventHandler handler = event -> {
            String at = Wire.format(Wire.now());
            synchronized (lines) {
                if (SyncTopics.EXCHANGED.equals(event.getTopic())) {
                    lines.println(at + " exchanged: sent " + event.getProperty(SyncTopics.PROPERTY_SENT)
                            + ", received " + event.getProperty(SyncTopics.PROPERTY_RECEIVED));
                } else {
                    lines.println(at + " failed: "
                            + String.valueOf(event.getProperty(SyncTopics.PROPERTY_REASON)).replace('\n', ' '));
                }
                lines.flush();
            }
        };
        ServiceRegistration<EventHandler> registration = context.registerService(EventHandler.class, handler,
                new Hashtable<>(Map.of(EventConstants.EVENT_TOPIC,
                        new String[] { SyncTopics.EXCHANGED, SyncTopics.FAILED })));
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "trestle-watch-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            service.startBackground();
            lines.println(Wire.format(Wire.now()) + " watching: " + service.state().serverUrl()
                    + " (stop with Ctrl+C)");
            lines.flush();
            if (commands != null) {
                Thread reader = new Thread(() -> readCommands(commands), "trestle-watch-commands");
                reader.setDaemon(true);
                reader.start();
            }
            stop.await();
        } finally {
            registration.unregister();
            lines.println(Wire.format(Wire.now()) + " stopped");
            lines.flush();
            stopped.countDown();
        }
    }

    /** Runs each line of standard input as a command until it ends; the watch goes on after that. */
    private void readCommands(Consumer<String> commands) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                synchronized (out) {
                    commands.accept(line);
                }
            }
        } catch (IOException e) {
            out.println(Wire.format(Wire.now()) + " failed: standard input: " + e.getMessage());
            out.flush();
        }
    }

    /** Prints the scope roots held here (by type, with their code or name) and the server's scope for this node. */
    void scope(SyncService service, EntityStore engine) throws SyncException {
        ObjectNode answer = json.createObjectNode();
        var held = answer.putArray("held");
        StringBuilder text = new StringBuilder();
        for (EntityTypeInfo t : service.engine().entityTypes()) {
            if (!t.scopeRoot()) {
                continue;
            }
            for (var e : engine.list(t.name())) {
                String label = e.data().path("code").asText(e.data().path("name").asText(""));
                held.addObject().put("entity_type", t.name()).put("uuid", e.uuid()).put("label", label);
                text.append(t.name()).append("  ").append(e.uuid()).append("  ").append(label).append('\n');
            }
        }
        String server;
        try {
            NodeScope scope = service.scope();
            server = scope.all() ? "all" : String.join(", ", scope.roots());
            if (scope.all()) {
                answer.put("scope", "all");
            } else {
                var roots = answer.putArray("scope");
                scope.roots().forEach(roots::add);
            }
        } catch (SyncException e) {
            server = "unknown (" + e.getMessage() + ")";
            answer.putNull("scope");
        }
        print(answer, "Held on this computer:\n" + (text.length() == 0 ? "(no scope roots)\n" : text)
                + "Scope at the server: " + server);
    }

    private void print(JsonNode node, String text) {
        out.println(jsonOutput ? node.toString() : text);
        out.flush();
    }

    /** @return the words of a line: split at spaces, with "double" or 'single' quotes around words that hold spaces */
    static List<String> words(String line) throws CommandLine.UsageException {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                word = word == null ? new StringBuilder() : word;
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        if (quote != 0) {
            throw new CommandLine.UsageException("a quote is not closed: " + line);
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }
}
