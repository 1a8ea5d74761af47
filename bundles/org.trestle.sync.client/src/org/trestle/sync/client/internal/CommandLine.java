package org.trestle.sync.client.internal;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.equinox.app.IApplication;
import org.eclipse.equinox.app.IApplicationContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;
import org.trestle.sync.api.entity.EntityIds;
import org.trestle.sync.api.ConflictRecord;
import org.trestle.sync.api.NodeInfo;
import org.trestle.sync.api.ProcessResult;
import org.trestle.sync.api.SyncException;
import org.trestle.sync.api.SyncOutcome;
import org.trestle.sync.api.SyncService;
import org.trestle.sync.api.SyncState;
import org.trestle.sync.api.AttributeInfo;
import org.trestle.sync.api.EntityRow;
import org.trestle.sync.api.EntityStore;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.packet.Wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code bin/trestle-sync}: the client's synchronization and data from a shell, on the
 * same OSGi runtime and services as the workbench, without a display. Exit code 0 on
 * success; otherwise a one-line error on standard error and 1 (usage: 2).
 */
public final class CommandLine implements IApplication {

    static final String USAGE = """
            Usage: trestle-sync [--data-dir DIR] [--json] <command>
              register --server URL --code CODE [--enrollment-key KEY] [--fingerprint SHA256]
              sync                         exchange with the server until both sides are done
              rotate-token                 replace this node's token with a new one from the server
              scope                        the roots (projects) this computer holds, and what the server sends it
              watch [--commands]           stay in sync until stopped (Ctrl+C): one line per exchange;
                                           --commands runs each line of standard input as a command meanwhile
              status                       registration, connection, pending changes, conflicts
              export FILE                  write the changes the server has not acknowledged to FILE
              import FILE                  apply a file the server produced for this node
              conflicts                    list open conflicts
              resolve VERSION_ID (--take local|server | --data JSON)
              list TYPE                    live entities of a type (Project, Estimate, EstimateItem, Material, ...)
              put TYPE [--uuid U] key=value ...   create or update an entity
              delete TYPE UUID             delete an entity (for good, on every node)
              types                        the entity types and their attributes
            """;

    private final ObjectMapper json = new ObjectMapper();
    private PrintStream out = System.out;
    private boolean jsonOutput;

    /** A mistake in the command line. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    @Override
    public Object start(IApplicationContext context) throws Exception {
        String[] args = (String[]) context.getArguments().getOrDefault(IApplicationContext.APPLICATION_ARGS, new String[0]);
        context.applicationRunning();
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        jsonOutput = rest.remove("--json");
        if (rest.isEmpty() || rest.contains("--help") || rest.contains("-h")) {
            System.out.print(USAGE);
            return rest.isEmpty() ? Integer.valueOf(2) : EXIT_OK;
        }
        var tracker = new ServiceTracker<SyncService, SyncService>(
                FrameworkUtil.getBundle(getClass()).getBundleContext(), SyncService.class, null);
        tracker.open();
        try {
            SyncService service = tracker.waitForService(60_000);
            if (service == null) {
                System.err.println("trestle-sync: the sync service did not start (see the log in the data directory)");
                return Integer.valueOf(1);
            }
            run(service, rest);
            return EXIT_OK;
        } catch (UsageException e) {
            System.err.println("trestle-sync: " + e.getMessage());
            System.err.print(USAGE);
            return Integer.valueOf(2);
        } catch (SyncException | IllegalArgumentException | IllegalStateException e) {
            System.err.println("trestle-sync: " + oneLine(e.getMessage()));
            return Integer.valueOf(1);
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            System.err.println("trestle-sync: " + oneLine(e.getMessage() + (root != e ? " (" + root.getMessage() + ")" : "")));
            return Integer.valueOf(1);
        } finally {
            tracker.close();
        }
    }

    @Override
    public void stop() {
        // commands are short; nothing to interrupt
    }

    void run(SyncService service, List<String> args) throws Exception {
        String command = args.get(0);
        List<String> rest = args.subList(1, args.size());
        EntityStore engine = service.engine().entities();
        switch (command) {
            case "register" -> register(service, rest);
            case "sync" -> {
                long started = System.nanoTime();
                SyncOutcome o = service.syncNow();
                double seconds = Math.round((System.nanoTime() - started) / 1e6) / 1e3;
                print(json.createObjectNode().put("exchanges", o.exchanges()).put("sent", o.sent()).put("received", o.received())
                        .put("errors", o.errors().size()).put("conflicts", o.conflicts().size()).put("seconds", seconds),
                        "Synchronized: " + o.sent() + " sent, " + o.received() + " received, " + o.errors().size()
                                + " refused, " + o.conflicts().size() + " conflicts (" + o.exchanges() + " exchanges in "
                                + seconds + " s)");
                for (var e : o.errors()) {
                    System.err.println("refused: " + e.entityType() + " " + e.entityUuid() + ": " + e.error() + ": " + e.message());
                }
            }
            case "watch" -> {
                List<String> options = new ArrayList<>(rest);
                boolean commands = options.remove("--commands");
                noMore(options);
                new LiveCommands(out, jsonOutput).watch(service, commands ? line -> runLine(service, line) : null);
            }
            case "scope" -> {
                noMore(rest);
                new LiveCommands(out, jsonOutput).scope(service, engine);
            }
            case "rotate-token" -> {
                noMore(rest);
                service.rotateToken();
                print(json.createObjectNode().put("rotated", true), "Token rotated: the server accepts only the new one");
            }
            case "status" -> {
                SyncState s = service.state();
                ObjectNode n = json.createObjectNode().put("status", s.status().name().toLowerCase())
                        .put("server", s.serverUrl()).put("node_code", s.nodeCode()).put("node_id", s.nodeId())
                        .put("pending_changes", s.pendingChanges()).put("open_conflicts", s.openConflicts())
                        .put("last_success", Wire.format(s.lastSuccess())).put("last_error", s.lastError())
                        .put("auto_sync", service.isAutoSync()).put("interval_seconds", service.interval().toSeconds())
                        .put("compression", service.isCompression());
                n.set("waiting_for_plugins", json.valueToTree(s.waitingForPlugins()));
                String waiting = s.waitingForPluginsText();
                print(n, "status: " + n.get("status").asText() + "\nserver: " + s.serverUrl() + "\nnode: " + s.nodeCode()
                        + " (" + s.nodeId() + ")\npending changes: " + s.pendingChanges() + "\nopen conflicts: "
                        + s.openConflicts() + (waiting == null ? "" : "\n" + waiting));
            }
            case "export" -> {
                Path file = Path.of(arg(rest, 0, "FILE"));
                int count = service.exportPending(file);
                print(json.createObjectNode().put("file", file.toAbsolutePath().toString()).put("changes", count),
                        "Exported " + count + " changes to " + file.toAbsolutePath());
            }
            case "import" -> {
                Path file = Path.of(arg(rest, 0, "FILE"));
                ProcessResult r = service.importFile(file);
                print(json.createObjectNode().put("processed", r.processed()).put("skipped", r.skipped())
                        .put("errors", r.errors().size()), "Imported " + file + ": " + r.processed() + " applied, "
                                + r.skipped() + " already here, " + r.errors().size() + " refused");
            }
            case "conflicts" -> {
                ArrayNode list = json.createArrayNode();
                StringBuilder text = new StringBuilder();
                for (ConflictRecord c : service.openConflicts()) {
                    ObjectNode o = list.addObject().put("version_id", c.versionId()).put("entity_type", c.entityType())
                            .put("entity_uuid", c.entityUuid()).put("arrived_at", Wire.format(c.arrivedAt()))
                            .put("resolution", c.resolution().wireName());
                    o.set("local", c.data());
                    text.append(c.versionId()).append('\t').append(c.entityType()).append('\t').append(c.entityUuid())
                            .append('\t').append(c.data()).append('\n');
                }
                print(list, text.length() == 0 ? "No open conflicts" : text.toString().stripTrailing());
            }
            case "resolve" -> resolve(service, engine, rest);
            case "list" -> list(engine, arg(rest, 0, "TYPE"));
            case "put" -> put(engine, rest);
            case "delete" -> {
                EntityTypeInfo tc = type(engine, arg(rest, 0, "TYPE"));
                String uuid = arg(rest, 1, "UUID");
                engine.delete(tc.name(), uuid);
                print(json.createObjectNode().put("deleted", uuid), "Deleted " + tc.name() + " " + uuid);
            }
            case "types" -> {
                ArrayNode list = json.createArrayNode();
                StringBuilder text = new StringBuilder();
                for (EntityTypeInfo tc : service.engine().entityTypes()) {
                    ArrayNode attributes = list.addObject().put("name", tc.name())
                            .put("strategy", tc.strategy().wireName()).putArray("attributes");
                    text.append(tc.name()).append(" (").append(tc.strategy().wireName()).append("):");
                    for (AttributeInfo a : engine.attributes(tc.name())) {
                        attributes.add(a.name());
                        text.append(' ').append(a.name());
                    }
                    text.append('\n');
                }
                print(list, text.toString().stripTrailing());
            }
            default -> throw new UsageException("unknown command '" + command + "'");
        }
    }

    /**
     * One line of standard input during {@code watch --commands}: a command as it would
     * be given on the command line (words split at spaces, quotes group them), its result
     * printed as usual, its failure as one line that does not stop the watch.
     */
    private void runLine(SyncService service, String line) {
        try {
            List<String> words = LiveCommands.words(line);
            if (words.isEmpty()) {
                return;
            }
            if (List.of("watch", "register").contains(words.get(0))) {
                throw new UsageException("'" + words.get(0) + "' cannot run inside watch");
            }
            run(service, words);
        } catch (Exception e) {
            out.println(Wire.format(Wire.now()) + " failed: " + oneLine(e.getMessage()));
            out.flush();
        }
    }

    private void register(SyncService service, List<String> args) throws Exception {
        Map<String, String> options = options(args, List.of("--server", "--code", "--enrollment-key", "--fingerprint"));
        String server = required(options, "--server");
        String code = required(options, "--code");
        NodeInfo node = service.register(server, code, options.get("--enrollment-key"), options.get("--fingerprint"));
        print(json.createObjectNode().put("node_id", node.nodeId()).put("code", node.code()).put("server", server),
                "Registered as " + node.code() + " (" + node.nodeId() + ") with " + server);
    }

    private void resolve(SyncService service, EntityStore engine, List<String> args) throws Exception {
        String versionId = arg(args, 0, "VERSION_ID");
        Map<String, String> options = options(args.subList(1, args.size()), List.of("--take", "--data"));
        ConflictRecord conflict = service.openConflicts().stream().filter(c -> c.versionId().equals(versionId)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("there is no open conflict " + versionId));
        ObjectNode data;
        if (options.containsKey("--data")) {
            JsonNode parsed = json.readTree(options.get("--data"));
            if (!parsed.isObject()) {
                throw new IllegalArgumentException("--data must be a JSON object of attributes");
            }
            data = current(engine, type(engine, conflict.entityType()), conflict.entityUuid());
            data.setAll((ObjectNode) parsed);
        } else if ("local".equals(options.get("--take"))) {
            if (conflict.data() == null) {
                throw new IllegalArgumentException("this conflict holds no local version");
            }
            data = conflict.data();
        } else if ("server".equals(options.get("--take"))) {
            data = current(engine, type(engine, conflict.entityType()), conflict.entityUuid());
        } else {
            throw new UsageException("resolve needs --take local, --take server or --data JSON");
        }
        service.resolveConflict(versionId, data);
        print(json.createObjectNode().put("resolved", versionId), "Resolved " + versionId
                + "; the resolution reaches every node with the next sync");
    }

    private ObjectNode current(EntityStore engine, EntityTypeInfo tc, String uuid) {
        return engine.find(tc.name(), uuid).map(EntityRow::data)
                .orElseThrow(() -> new IllegalArgumentException("no " + tc.name() + " " + uuid + " here"));
    }

    private void list(EntityStore engine, String typeName) {
        EntityTypeInfo tc = type(engine, typeName);
        List<AttributeInfo> attributes = engine.attributes(tc.name());
        ArrayNode list = json.createArrayNode();
        StringBuilder text = new StringBuilder("uuid");
        attributes.forEach(a -> text.append('\t').append(a.name()));
        for (EntityRow e : engine.list(tc.name())) {
            ObjectNode data = e.data();
            ObjectNode row = list.addObject().put("uuid", e.uuid()).put("updated_at", Wire.format(e.updatedAt()));
            row.set("data", data);
            text.append('\n').append(e.uuid());
            attributes.forEach(a -> text.append('\t').append(data.get(a.name()).isNull() ? "" : data.get(a.name()).asText()));
        }
        print(list, text.toString());
    }

    private void put(EntityStore engine, List<String> args) throws UsageException {
        EntityTypeInfo tc = type(engine, arg(args, 0, "TYPE"));
        Map<String, AttributeInfo> byName = new LinkedHashMap<>();
        engine.attributes(tc.name()).forEach(a -> byName.put(a.name(), a));
        String uuid = null;
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 1; i < args.size(); i++) {
            String a = args.get(i);
            if ("--uuid".equals(a) && i + 1 < args.size()) {
                uuid = args.get(++i);
            } else if (a.contains("=") && !a.startsWith("=")) {
                values.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
            } else {
                throw new UsageException("put takes key=value pairs, not '" + a + "'");
            }
        }
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, String> v : values.entrySet()) {
            AttributeInfo attribute = byName.get(v.getKey());
            if (attribute == null) {
                throw new IllegalArgumentException(tc.name() + " has no attribute '" + v.getKey() + "'; it has "
                        + String.join(", ", byName.keySet()));
            }
            if (attribute.derived()) {
                throw new IllegalArgumentException(tc.name() + "." + v.getKey() + " is computed, not set");
            }
            data.set(v.getKey(), literal(tc, attribute, v.getValue()));
        }
        String id = uuid == null ? EntityIds.newUuid() : uuid;
        boolean created = engine.put(tc.name(), id, data);
        print(json.createObjectNode().put("uuid", id).put("created", created),
                (created ? "Created " : "Updated ") + tc.name() + " " + id);
    }

    private static JsonNode literal(EntityTypeInfo tc, AttributeInfo a, String text) {
        try {
            return a.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(tc.name() + "." + a.name() + ": '" + text + "' is " + e.getMessage());
        }
    }

    private static EntityTypeInfo type(EntityStore engine, String name) {
        return engine.type(name).orElseThrow(() -> new IllegalArgumentException("unknown entity type '" + name
                + "'; known: " + String.join(", ", engine.types().stream().map(EntityTypeInfo::name).toList())));
    }

    private static void noMore(List<String> args) throws UsageException {
        if (!args.isEmpty()) {
            throw new UsageException("unexpected '" + args.get(0) + "'");
        }
    }

    private static String arg(List<String> args, int index, String name) throws UsageException {
        if (args.size() <= index || args.get(index).startsWith("--")) {
            throw new UsageException(name + " is missing");
        }
        return args.get(index);
    }

    private static Map<String, String> options(List<String> args, List<String> known) throws UsageException {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String value;
            String name;
            if (a.contains("=") && a.startsWith("--")) {
                name = a.substring(0, a.indexOf('='));
                value = a.substring(a.indexOf('=') + 1);
            } else {
                name = a;
                if (i + 1 >= args.size()) {
                    throw new UsageException(a + " needs a value");
                }
                value = args.get(++i);
            }
            if (!known.contains(name)) {
                throw new UsageException("unknown option '" + name + "'");
            }
            options.put(name, value);
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) throws UsageException {
        String v = options.get(name);
        if (v == null || v.isBlank()) {
            throw new UsageException(name + " is required");
        }
        return v;
    }

    private void print(JsonNode node, String text) {
        out.println(jsonOutput ? node.toString() : text);
        out.flush();
    }

    private static String oneLine(String message) {
        return String.valueOf(message).replace('\n', ' ');
    }
}
