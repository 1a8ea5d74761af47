package org.trestle.sync.client.internal;

import java.io.PrintStream;
import java.util.Map;

import org.osgi.framework.FrameworkUtil;
import org.trestle.sync.api.EntityStore;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.NodeScope;
import org.trestle.sync.api.SyncException;
import org.trestle.sync.api.SyncService;
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
     */
    void watch(SyncService service) throws InterruptedException {
        var context = FrameworkUtil.getBundle(getClass()).getBundleContext();
        java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
        PrintStream lines = out;
        org.osgi.service.event.EventHandler handler = event -> {
            String at = Wire.format(Wire.now());
            if (org.trestle.sync.api.SyncTopics.EXCHANGED.equals(event.getTopic())) {
                lines.println(at + " exchanged: sent " + event.getProperty(org.trestle.sync.api.SyncTopics.PROPERTY_SENT)
                        + ", received " + event.getProperty(org.trestle.sync.api.SyncTopics.PROPERTY_RECEIVED));
            } else {
                lines.println(at + " failed: " + String.valueOf(
                        event.getProperty(org.trestle.sync.api.SyncTopics.PROPERTY_REASON)).replace('\n', ' '));
            }
            lines.flush();
        };
        var registration = context.registerService(org.osgi.service.event.EventHandler.class, handler,
                new java.util.Hashtable<>(Map.of(org.osgi.service.event.EventConstants.EVENT_TOPIC, new String[] {
                        org.trestle.sync.api.SyncTopics.EXCHANGED, org.trestle.sync.api.SyncTopics.FAILED })));
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(5, java.util.concurrent.TimeUnit.SECONDS);
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
            stop.await();
        } finally {
            registration.unregister();
            lines.println(Wire.format(Wire.now()) + " stopped");
            lines.flush();
            stopped.countDown();
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
}
