package org.trestle.sync.server.internal.console;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trestle.sync.api.EntityRow;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.NodeInfo;
import org.trestle.sync.api.NodeScope;
import org.trestle.sync.api.SyncEngine;

/**
 * The nodes page: every laptop with its sync state, the versions it runs and its scope,
 * sorted and filtered on the server; and its actions (revoke, release a code, edit the
 * scope by choosing projects by code and name), each confirmed on a page of its own.
 */
final class NodePages {

    private static final Logger LOG = LoggerFactory.getLogger(NodePages.class);
    /** Scope roots named in a node's row before "and N more". */
    private static final int ROOTS_SHOWN = 3;
    private static final Map<String, String> DONE = Map.of("revoked", "is revoked: its next sync is refused.",
            "released", "is released: a new laptop may register with its code.", "scoped",
            "has its new scope: it receives it with its next sync.");

    private final SyncEngine engine;
    private final Clock clock;

    NodePages(SyncEngine engine, Clock clock) {
        this.engine = engine;
        this.clock = clock;
    }

    void handle(Console.Call call, String rest, String method) {
        if (rest.isEmpty()) {
            call.allow("GET", "HEAD");
            list(call);
            return;
        }
        int slash = rest.indexOf('/');
        String action = slash < 0 ? "" : rest.substring(slash + 1);
        if (slash <= 0 || !(action.equals("revoke") || action.equals("release") || action.equals("scope"))) {
            throw new Console.ConsoleError(404, "The console has no page at /admin/nodes/" + Console.shorten(rest) + ".");
        }
        NodeInfo node = engine.syncManager().node(rest.substring(0, slash)).filter(n -> !n.self() && !n.server())
                .orElseThrow(() -> new Console.ConsoleError(404, "There is no such node (it may have been released)."));
        call.allow("GET", "HEAD", "POST");
        if (action.equals("scope")) {
            if ("POST".equals(method)) {
                setScope(call, node);
            } else {
                scopePage(call, node, null);
            }
        } else if ("POST".equals(method)) {
            act(call, node, action);
        } else {
            confirm(call, node, action);
        }
    }

    private void list(Console.Call call) {
        var query = call.query();
        String filter = Optional.ofNullable(query.getValue("q")).orElse("").trim();
        String status = Optional.ofNullable(query.getValue("status")).filter(s -> s.matches("active|revoked")).orElse("all");
        String sort = Optional.ofNullable(query.getValue("sort")).filter(s -> s.matches("code|name|in|out|pending|version"))
                .orElse("code");
        boolean descending = "desc".equals(query.getValue("dir"));
        Instant now = clock.instant();
        List<NodeInfo> nodes = new ArrayList<>(engine.syncManager().nodes().stream().filter(n -> !n.self() && !n.server())
                .filter(n -> status.equals("all") || n.revoked() == status.equals("revoked"))
                .filter(n -> matches(n, filter)).toList());
        nodes.sort(descending ? order(sort).reversed() : order(sort));
        Roots roots = roots();

        Html page = new Html("Nodes", "nodes", call.session);
        String done = query.getValue("done");
        if (done != null && DONE.containsKey(done)) {
            page.message("notice", "Node " + Console.shorten(query.getValue("node")) + " " + DONE.get(done));
        }
        page.raw("<form class=\"filter\" method=\"get\" action=\"/admin/nodes\"><label for=\"q\">Filter</label>")
                .raw("<input id=\"q\" name=\"q\" placeholder=\"code, name or version\" value=\"").text(filter).raw("\">")
                .raw("<select name=\"status\" id=\"status\">");
        for (String s : List.of("all", "active", "revoked")) {
            page.raw("<option value=\"" + s + "\"" + (s.equals(status) ? " selected" : "") + ">")
                    .text(s.equals("all") ? "Active and revoked" : s.equals("active") ? "Active only" : "Revoked only")
                    .raw("</option>");
        }
        page.raw("</select><input type=\"hidden\" name=\"sort\" value=\"").text(sort).raw("\">")
                .raw("<button type=\"submit\">Show</button></form>");
        page.raw("<p class=\"count\" id=\"node-count\">").text(nodes.size() + (nodes.size() == 1 ? " node" : " nodes"))
                .raw("</p><table id=\"nodes\"><thead><tr>");
        String base = "/admin/nodes?q=" + Html.url(filter) + "&amp;status=" + status;
        for (String[] h : new String[][] { { "code", "Code" }, { "name", "Name" }, { "in", "Last sync in" },
                { "out", "Last sync out" }, { "pending", "Pending" }, { null, "Packets sent / received" },
                { "version", "Product version" }, { null, "Entity types" }, { null, "Scope" }, { null, "Status" },
                { null, "" } }) {
            if (h[0] == null) {
                page.raw("<th>").text(h[1]).raw("</th>");
            } else {
                boolean current = h[0].equals(sort);
                page.raw("<th" + (current ? " aria-sort=\"" + (descending ? "descending" : "ascending") + "\"" : "") + ">")
                        .raw("<a href=\"" + base + "&amp;sort=" + h[0] + (current && !descending ? "&amp;dir=desc" : "") + "\">")
                        .text(h[1] + (current ? (descending ? " \u25be" : " \u25b4") : "")).raw("</a></th>");
            }
        }
        page.raw("</tr></thead><tbody>");
        for (NodeInfo n : nodes) {
            String id = Html.url(n.nodeId());
            page.raw("<tr data-code=\"").text(n.code()).raw("\"" + (n.revoked() ? " class=\"revoked\"" : "") + "><td>")
                    .text(n.code()).raw("</td><td>").text(n.name()).raw("</td><td>").text(Html.when(n.lastSyncIn(), now))
                    .raw("</td><td>").text(Html.when(n.lastSyncOut(), now)).raw("</td><td class=\"number\">")
                    .text(n.pendingChanges()).raw("</td><td class=\"number\">")
                    .text(n.sentPacketNo() + " / " + n.receivedPacketNo()).raw("</td><td>")
                    .text(n.productVersion() == null ? "not yet known" : n.productVersion()).raw("</td><td class=\"small\">")
                    .text(types(n)).raw("</td><td>").text(roots.describe(engine.administration().scope(n.nodeId())))
                    .raw("</td><td>").text(n.revoked() ? "Revoked" : "Active").raw("</td><td class=\"actions\">");
            if (!n.revoked()) {
                page.raw("<a href=\"/admin/nodes/" + id + "/scope\">Edit scope</a> <a class=\"danger\" href=\"/admin/nodes/"
                        + id + "/revoke\">Revoke</a>");
            } else {
                page.raw("<a href=\"/admin/nodes/" + id + "/release\">Release code</a>");
            }
            page.raw("</td></tr>");
        }
        page.raw("</tbody></table>");
        if (nodes.isEmpty()) {
            page.message("notice", filter.isEmpty() && status.equals("all")
                    ? "No laptop has registered yet: see \"Enrolling laptops\" in the administrator's guide."
                    : "No node matches the filter.");
        }
        call.page(200, page.finish());
    }

    private void confirm(Console.Call call, NodeInfo node, String action) {
        boolean revoke = action.equals("revoke");
        if (revoke == node.revoked()) {
            throw new Console.ConsoleError(409, "Node " + node.code() + (revoke ? " is revoked already."
                    : " is not revoked: revoke it before releasing its code."));
        }
        Html page = new Html((revoke ? "Revoke " : "Release the code ") + node.code(), "nodes", call.session);
        page.raw("<p>").text(revoke ? "The laptop " + node.code() + " (" + node.name() + ") will no longer sync: its"
                + " token stops working at once and changes it sends are refused. Changes it sent before stay."
                : "The code " + node.code() + " becomes free for a new registration. The revoked node's record is kept"
                        + " under another code.")
                .raw("</p><form method=\"post\" action=\"/admin/nodes/").raw(Html.url(node.nodeId())).raw("/").raw(action)
                .raw("\">").raw(Html.csrf(call.session)).raw("<button type=\"submit\" id=\"confirm\" class=\"danger\">")
                .text(revoke ? "Revoke " + node.code() : "Release " + node.code())
                .raw("</button> <a href=\"/admin/nodes\">Cancel</a></form>");
        call.page(200, page.finish());
    }

    private void act(Console.Call call, NodeInfo node, String action) {
        if (action.equals("revoke")) {
            engine.administration().revoke(node.nodeId());
            LOG.warn("Node " + node.code() + " (" + node.nodeId() + ") revoked in the console (admin token "
                    + call.session.tokenName() + ")");
        } else {
            try {
                engine.administration().release(node.nodeId());
            } catch (IllegalStateException e) {
                throw new Console.ConsoleError(409, "Node " + node.code() + " is not revoked: revoke it first.");
            }
            LOG.warn("The code of revoked node " + node.code() + " released in the console (admin token "
                    + call.session.tokenName() + ")");
        }
        call.redirect("/admin/nodes?done=" + (action.equals("revoke") ? "revoked" : "released") + "&node="
                + Html.url(node.code()));
    }

    private void scopePage(Console.Call call, NodeInfo node, String problem) {
        Roots roots = roots();
        NodeScope scope = engine.administration().scope(node.nodeId());
        Html page = new Html("Scope of " + node.code(), "nodes", call.session);
        page.message("problem", problem);
        if (roots.type == null) {
            page.message("notice", "No installed entity type is a scope root: every node receives everything.");
            call.page(200, page.finish());
            return;
        }
        String label = roots.type.label().toLowerCase(Locale.ROOT);
        page.raw("<p>").text("Which " + label + "s the laptop " + node.code() + " (" + node.name() + ") receives, with"
                + " everything that belongs to them. Records of other types that belong to no " + label + " go to every laptop.")
                .raw("</p><form method=\"post\" action=\"/admin/nodes/").raw(Html.url(node.nodeId())).raw("/scope\">")
                .raw(Html.csrf(call.session)).raw("<p><label><input type=\"radio\" name=\"scope\" value=\"all\" id=\"scope-all\"")
                .raw(scope.all() ? " checked" : "").raw("> ").text("Every " + label).raw("</label></p><p><label>")
                .raw("<input type=\"radio\" name=\"scope\" value=\"chosen\" id=\"scope-chosen\"").raw(scope.all() ? "" : " checked")
                .raw("> ").text("Only these " + label + "s:").raw("</label></p><ul class=\"roots\">");
        for (Map.Entry<String, String> r : roots.titles.entrySet()) {
            page.raw("<li><label><input type=\"checkbox\" name=\"root\" value=\"").text(r.getKey()).raw("\"")
                    .raw(!scope.all() && scope.roots().contains(r.getKey()) ? " checked" : "").raw("> ").text(r.getValue())
                    .raw("</label></li>");
        }
        page.raw("</ul><button type=\"submit\" id=\"save-scope\">Save the scope</button> <a href=\"/admin/nodes\">Cancel</a>")
                .raw("</form>");
        call.page(200, page.finish());
    }

    private void setScope(Console.Call call, NodeInfo node) {
        String choice = call.form.getValue("scope");
        List<String> chosen = call.form.getValuesOrEmpty("root");
        NodeScope scope;
        if ("all".equals(choice)) {
            scope = NodeScope.ALL;
        } else if ("chosen".equals(choice)) {
            Roots roots = roots();
            for (String r : chosen) {
                if (!roots.titles.containsKey(r)) {
                    scopePage(call, node, "One of the chosen records no longer exists; choose again.");
                    return;
                }
            }
            scope = NodeScope.of(chosen);
        } else {
            scopePage(call, node, "Choose every record, or the ones the laptop receives.");
            return;
        }
        try {
            scope = engine.administration().setScope(node.nodeId(), scope);
        } catch (IllegalArgumentException e) {
            scopePage(call, node, e.getMessage());
            return;
        }
        LOG.warn("The scope of node " + node.code() + " set to " + (scope.all() ? "all" : scope.roots().size() + " roots")
                + " in the console (admin token " + call.session.tokenName() + ")");
        call.redirect("/admin/nodes?done=scoped&node=" + Html.url(node.code()));
    }

    private static boolean matches(NodeInfo n, String filter) {
        if (filter.isEmpty()) {
            return true;
        }
        String f = filter.toLowerCase(Locale.ROOT);
        return (n.code() + "\n" + n.name() + "\n" + n.productVersion()).toLowerCase(Locale.ROOT).contains(f);
    }

    private static Comparator<NodeInfo> order(String sort) {
        Comparator<NodeInfo> byCode = Comparator.comparing(NodeInfo::code, String.CASE_INSENSITIVE_ORDER);
        Comparator<NodeInfo> first = switch (sort) {
            case "name" -> Comparator.comparing(n -> n.name() == null ? "" : n.name(), String.CASE_INSENSITIVE_ORDER);
            case "in" -> Comparator.comparing(NodeInfo::lastSyncIn, Comparator.nullsFirst(Comparator.naturalOrder()));
            case "out" -> Comparator.comparing(NodeInfo::lastSyncOut, Comparator.nullsFirst(Comparator.naturalOrder()));
            case "pending" -> Comparator.comparingLong(NodeInfo::pendingChanges);
            case "version" -> Comparator.comparing(NodeInfo::productVersion, Comparator.nullsFirst(Comparator.naturalOrder()));
            default -> byCode;
        };
        return first.thenComparing(byCode);
    }

    private String types(NodeInfo n) {
        if (n.typeVersions().isEmpty()) {
            return "not yet known";
        }
        StringBuilder out = new StringBuilder();
        n.typeVersions().forEach((type, version) -> out.append(out.isEmpty() ? "" : ", ").append(engine.entities().type(type)
                .map(EntityTypeInfo::label).orElse(type)).append(' ').append(version));
        return out.toString();
    }

    private Roots roots() {
        EntityTypeInfo type = engine.entities().types().stream().filter(EntityTypeInfo::scopeRoot).findFirst().orElse(null);
        Map<String, String> titles = new LinkedHashMap<>();
        if (type != null) {
            engine.entities().list(type.name()).stream()
                    .sorted(Comparator.comparing((EntityRow r) -> type.title(r.data()), String.CASE_INSENSITIVE_ORDER))
                    .forEach(r -> titles.put(r.uuid(), type.title(r.data()).isEmpty() ? r.uuid() : type.title(r.data())));
        }
        return new Roots(type, titles);
    }

    /** The scope roots there are, by uuid, with their titles ("HB-01 Harbour bridge"). */
    private record Roots(EntityTypeInfo type, Map<String, String> titles) {

        String describe(NodeScope scope) {
            if (scope.all()) {
                return type == null ? "Everything" : "Every " + type.label().toLowerCase(Locale.ROOT);
            }
            if (scope.roots().isEmpty()) {
                return "Nothing scoped (shared records only)";
            }
            StringBuilder out = new StringBuilder();
            scope.roots().stream().limit(ROOTS_SHOWN).forEach(r -> out.append(out.isEmpty() ? "" : "; ")
                    .append(titles.getOrDefault(r, "a deleted record")));
            if (scope.roots().size() > ROOTS_SHOWN) {
                out.append(" and ").append(scope.roots().size() - ROOTS_SHOWN).append(" more");
            }
            return out.toString();
        }
    }
}
