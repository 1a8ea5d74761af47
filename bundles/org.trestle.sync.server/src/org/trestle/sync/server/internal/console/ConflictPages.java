package org.trestle.sync.server.internal.console;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trestle.sync.api.AttributeInfo;
import org.trestle.sync.api.ChangeError;
import org.trestle.sync.api.ConflictRecord;
import org.trestle.sync.api.EntityRow;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.NodeInfo;
import org.trestle.sync.api.SyncEngine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Open manual conflicts, both versions side by side with references by name, resolved as
 * the workbench's conflict view resolves them (the laptop's version, the server's, or one
 * side per attribute); and the changes kept aside because they could not be applied. Both
 * are read a page at a time in the database.
 */
final class ConflictPages {

    private static final Logger LOG = LoggerFactory.getLogger(ConflictPages.class);
    static final int PAGE = 10;
    static final int ERROR_PAGE = 50;

    private final ObjectMapper json;
    private final SyncEngine engine;
    private final Clock clock;

    ConflictPages(ObjectMapper json, SyncEngine engine, Clock clock) {
        this.json = json;
        this.engine = engine;
        this.clock = clock;
    }

    void conflicts(Console.Call call, String rest, String method) {
        if (rest.equals("resolve")) {
            call.allow("POST");
            resolve(call);
            return;
        }
        call.allow("GET", "HEAD");
        var query = call.query();
        int offset = offset(query.getValue("offset"));
        String type = typeFilter(query.getValue("type"));
        List<ConflictRecord> rows = engine.conflictResolver().openConflicts(type, null, offset, PAGE + 1);
        Html page = new Html("Conflicts", "conflicts", call.session);
        if ("resolved".equals(query.getValue("done"))) {
            page.message("notice", "The conflict is resolved: the decision reaches every laptop with its next sync.");
        }
        filterForm(page, "/admin/conflicts", type);
        if (rows.isEmpty()) {
            page.message("notice", offset == 0 ? "No conflict waits for a decision." : "No more conflicts.");
        }
        for (ConflictRecord c : rows.subList(0, Math.min(PAGE, rows.size()))) {
            conflict(page, call.session, c);
        }
        pager(page, "/admin/conflicts", type, offset, PAGE, rows.size() > PAGE);
        call.page(200, page.finish());
    }

    private void conflict(Html page, Sessions.Session session, ConflictRecord c) {
        Optional<EntityTypeInfo> type = engine.entities().type(c.entityType());
        ObjectNode laptop = c.data();
        ObjectNode server = engine.entities().find(c.entityType(), c.entityUuid()).map(EntityRow::data).orElse(c.otherData());
        String label = type.map(EntityTypeInfo::label).orElse(c.entityType());
        String title = type.map(t -> t.title(laptop != null ? laptop : server)).orElse("");
        String from = engine.syncManager().node(c.sourceNode()).map(NodeInfo::code).orElse("a removed laptop");
        page.raw("<section class=\"conflict\" data-version=\"").text(c.versionId()).raw("\"><h2>").text(label + " " + title)
                .raw("</h2><p class=\"small\">").text("Changed on the laptop " + from + " and on the server; arrived "
                        + Html.when(c.arrivedAt(), clock.instant()) + ".")
                .raw("</p><form method=\"post\" action=\"/admin/conflicts/resolve\">").raw(Html.csrf(session))
                .raw("<input type=\"hidden\" name=\"version_id\" value=\"").text(c.versionId()).raw("\">")
                .raw("<input type=\"hidden\" name=\"entity_type\" value=\"").text(c.entityType()).raw("\">")
                .raw("<input type=\"hidden\" name=\"entity_uuid\" value=\"").text(c.entityUuid()).raw("\">")
                .raw("<table class=\"compare\"><thead><tr><th>Attribute</th><th>").text("Laptop " + from)
                .raw("</th><th>On the server</th><th>Or another value</th></tr></thead><tbody>");
        if (laptop == null || server == null) {
            page.raw("<tr class=\"different\"><td>Record</td><td>").text(laptop == null ? "deleted" : "kept, edited")
                    .raw("</td><td>").text(server == null ? "deleted" : "kept, edited").raw("</td><td></td></tr>");
        }
        for (String a : attributes(laptop, server)) {
            JsonNode l = laptop == null ? null : laptop.get(a);
            JsonNode s = server == null ? null : server.get(a);
            boolean differs = laptop != null && server != null && !String.valueOf(l).equals(String.valueOf(s));
            page.raw("<tr" + (differs ? " class=\"different\"" : "") + "><td>").text(a).raw("</td>");
            cell(page, c.entityType(), a, l, differs ? "laptop" : null);
            cell(page, c.entityType(), a, s, differs ? "server" : null);
            if (differs) {
                page.raw("<td><label><input type=\"radio\" name=\"a:").text(a).raw("\" value=\"typed\"> ")
                        .raw("<input type=\"text\" name=\"v:").text(a).raw("\" aria-label=\"").text("Another value of " + a)
                        .raw("\"></label></td>");
            } else {
                page.raw("<td></td>");
            }
            page.raw("</tr>");
        }
        page.raw("</tbody></table><p class=\"buttons\">")
                .raw("<button type=\"submit\" name=\"take\" value=\"laptop\">Take the laptop's version</button> ")
                .raw("<button type=\"submit\" name=\"take\" value=\"server\">Keep the server's version</button> ");
        if (laptop != null && server != null) {
            page.raw("<button type=\"submit\" name=\"take\" value=\"choice\">Resolve with the choices marked</button>");
        }
        page.raw("</p></form></section>");
    }

    /** One side's value; where the sides differ, a choice of it for the result. */
    private void cell(Html page, String type, String attribute, JsonNode value, String side) {
        page.raw("<td>");
        if (side != null) {
            page.raw("<label><input type=\"radio\" name=\"a:").text(attribute).raw("\" value=\"" + side + "\"")
                    .raw("laptop".equals(side) ? " checked" : "").raw("> ");
        }
        page.text(shown(type, attribute, value));
        page.raw(side != null ? "</label></td>" : "</td>");
    }

    /** @return a value as a person reads it: a reference by its record's title */
    private String shown(String type, String attribute, JsonNode value) {
        if (value == null || value.isNull()) {
            return "(empty)";
        }
        String text = value.isTextual() ? value.textValue() : value.toString();
        Optional<AttributeInfo> info = engine.entities().attributes(type).stream().filter(a -> a.name().equals(attribute))
                .findFirst();
        if (info.isPresent() && info.get().isReference() && value.isTextual()) {
            String target = info.get().referencedType();
            return engine.entities().find(target, text).flatMap(r -> engine.entities().type(target).map(t -> t.title(r.data())))
                    .filter(t -> !t.isEmpty()).orElse(text);
        }
        return Console.shorten(text.length() > 300 ? text.substring(0, 300) : text);
    }

    private void resolve(Console.Call call) {
        String versionId = call.form.getValue("version_id");
        String type = call.form.getValue("entity_type");
        String uuid = call.form.getValue("entity_uuid");
        String take = call.form.getValue("take");
        if (versionId == null || type == null || uuid == null || take == null || !take.matches("laptop|server|choice")) {
            throw new Console.ConsoleError(400, "The form is incomplete; open the conflicts page again.");
        }
        ConflictRecord c = engine.conflictResolver().openConflicts(type, uuid, 0, 200).stream()
                .filter(r -> r.versionId().equals(versionId)).findFirst()
                .orElseThrow(() -> new Console.ConsoleError(409, "This conflict is no longer open (someone resolved it)."));
        ObjectNode laptop = c.data();
        ObjectNode server = engine.entities().find(type, uuid).map(EntityRow::data).orElse(c.otherData());
        ObjectNode result;
        if (take.equals("laptop")) {
            result = laptop;
        } else if (take.equals("server")) {
            result = server;
        } else {
            if (laptop == null || server == null) {
                throw new Console.ConsoleError(400, "A deleted record has no attributes to choose from: take one side.");
            }
            result = server.deepCopy();
            for (String a : attributes(laptop, server)) {
                String choice = call.form.getValue("a:" + a);
                if ("laptop".equals(choice)) {
                    result.set(a, laptop.get(a) == null ? json.nullNode() : laptop.get(a));
                } else if ("typed".equals(choice)) {
                    result.set(a, typed(type, a, call.form.getValue("v:" + a)));
                }
            }
        }
        try {
            engine.conflictResolver().resolve(versionId, result == null ? null : result.deepCopy());
        } catch (IllegalArgumentException e) {
            throw new Console.ConsoleError(422, "The decision was refused: " + e.getMessage());
        }
        LOG.info("Conflict " + versionId + " on " + type + " " + uuid + " resolved in the console (" + take
                + ", admin token " + call.session.tokenName() + ")");
        call.redirect("/admin/conflicts?done=resolved");
    }

    /**
     * @return a value a person typed for an attribute, as its type takes it
     * @throws Console.ConsoleError naming the attribute and the expected form, when it is not one
     */
    private JsonNode typed(String type, String attribute, String text) {
        String v = text == null ? "" : text.trim();
        if (v.isEmpty()) {
            return json.nullNode();
        }
        Class<?> t = engine.entities().attributes(type).stream().filter(a -> a.name().equals(attribute)).findFirst()
                .<Class<?>>map(AttributeInfo::javaType).orElse(String.class);
        if (Number.class.isAssignableFrom(t) || (t.isPrimitive() && t != boolean.class && t != char.class)) {
            try {
                return json.getNodeFactory().numberNode(new java.math.BigDecimal(v));
            } catch (NumberFormatException e) {
                throw new Console.ConsoleError(422, attribute + " takes a number written like 1250.50; \"" + Console.shorten(v)
                        + "\" is not one. Nothing was changed.");
            }
        }
        if (t == boolean.class || t == Boolean.class) {
            if (!v.equals("true") && !v.equals("false")) {
                throw new Console.ConsoleError(422, attribute + " takes true or false. Nothing was changed.");
            }
            return json.getNodeFactory().booleanNode(Boolean.parseBoolean(v));
        }
        return json.getNodeFactory().textNode(v);
    }

    void errors(Console.Call call) {
        var query = call.query();
        int offset = offset(query.getValue("offset"));
        String type = typeFilter(query.getValue("type"));
        List<ChangeError> rows = engine.administration().deadLetters(type, null, offset, ERROR_PAGE + 1);
        Html page = new Html("Quarantined changes", "errors", call.session);
        page.raw("<p>Changes laptops sent that the server could not apply. They are kept, not lost; fix the cause")
                .raw(" (often a plugin missing on the server) and the laptop sends them again.</p>");
        filterForm(page, "/admin/errors", type);
        if (rows.isEmpty()) {
            page.message("notice", offset == 0 ? "No change is kept aside." : "No more changes.");
        } else {
            page.raw("<table id=\"errors\"><thead><tr><th>Log no.</th><th>Record</th><th>Reason</th><th>Message</th>")
                    .raw("</tr></thead><tbody>");
            for (ChangeError e : rows.subList(0, Math.min(ERROR_PAGE, rows.size()))) {
                Optional<EntityTypeInfo> t = engine.entities().type(e.entityType());
                String title = t.flatMap(i -> engine.entities().find(e.entityType(), e.entityUuid()).map(r -> i.title(r.data())))
                        .orElse(e.entityUuid());
                page.raw("<tr><td class=\"number\">").text(e.seq()).raw("</td><td>")
                        .text(t.map(EntityTypeInfo::label).orElse(e.entityType()) + " " + title).raw("</td><td>")
                        .text(e.error().replace('_', ' ')).raw("</td><td>").text(e.message()).raw("</td></tr>");
            }
            page.raw("</tbody></table>");
        }
        pager(page, "/admin/errors", type, offset, ERROR_PAGE, rows.size() > ERROR_PAGE);
        call.page(200, page.finish());
    }

    private void filterForm(Html page, String action, String type) {
        page.raw("<form class=\"filter\" method=\"get\" action=\"" + action + "\"><label for=\"type\">Entity type</label>")
                .raw("<select id=\"type\" name=\"type\"><option value=\"\">All</option>");
        for (EntityTypeInfo t : engine.entities().types()) {
            page.raw("<option value=\"").text(t.name()).raw("\"" + (t.name().equals(type) ? " selected" : "") + ">")
                    .text(t.label()).raw("</option>");
        }
        page.raw("</select><button type=\"submit\">Show</button></form>");
    }

    private static void pager(Html page, String path, String type, int offset, int size, boolean more) {
        String filter = type == null ? "" : "&amp;type=" + Html.url(type);
        page.raw("<p class=\"pager\">");
        if (offset > 0) {
            page.raw("<a href=\"" + path + "?offset=" + Math.max(0, offset - size) + filter + "\">\u2190 Previous</a> ");
        }
        if (more) {
            page.raw("<a id=\"next\" href=\"" + path + "?offset=" + (offset + size) + filter + "\">Next \u2192</a>");
        }
        page.raw("</p>");
    }

    private String typeFilter(String type) {
        return type == null || type.isBlank() ? null : engine.entities().type(type).map(EntityTypeInfo::name).orElse(null);
    }

    private static int offset(String value) {
        try {
            return value == null ? 0 : Math.max(0, Math.min(Integer.parseInt(value.trim()), 10_000_000));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static List<String> attributes(ObjectNode a, ObjectNode b) {
        TreeSet<String> names = new TreeSet<>();
        for (ObjectNode o : new ObjectNode[] { a, b }) {
            if (o != null) {
                o.fieldNames().forEachRemaining(names::add);
            }
        }
        names.remove("uuid");
        return new ArrayList<>(names);
    }
}
