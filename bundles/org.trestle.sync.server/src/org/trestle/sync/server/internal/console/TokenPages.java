package org.trestle.sync.server.internal.console;

import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trestle.sync.api.AdminToken;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.server.internal.Secrets;

/**
 * The admin tokens: each operator's own, named, so that the log says who did what and one
 * can be revoked without the others. A new token is shown once, on the page that made it;
 * the server keeps only its hash. The last valid token cannot be revoked.
 */
final class TokenPages {

    private static final Logger LOG = LoggerFactory.getLogger(TokenPages.class);

    private final SyncEngine engine;
    private final Clock clock;

    TokenPages(SyncEngine engine, Clock clock) {
        this.engine = engine;
        this.clock = clock;
    }

    void handle(Console.Call call, String rest, String method) {
        if (rest.isEmpty()) {
            call.allow("GET", "HEAD", "POST");
            if ("POST".equals(method)) {
                create(call);
            } else {
                list(call, null, null);
            }
        } else if (rest.equals("revoke")) {
            call.allow("POST");
            revoke(call);
        } else {
            throw new Console.ConsoleError(404, "The console has no page at /admin/tokens/" + Console.shorten(rest) + ".");
        }
    }

    private void list(Console.Call call, String problem, String created) {
        Html page = new Html("Admin tokens", "tokens", call.session);
        page.message("problem", problem);
        if (created != null) {
            page.raw("<p class=\"notice\" role=\"status\">Copy the new token now: it is not shown again.</p>")
                    .raw("<p><code id=\"new-token\" class=\"token\">").text(created).raw("</code></p>");
        }
        String done = call.query().getValue("done");
        if ("revoked".equals(done)) {
            page.message("notice", "The token " + Console.shorten(call.query().getValue("name"))
                    + " is revoked: its sessions have ended and the API refuses it.");
        }
        page.raw("<table id=\"tokens\"><thead><tr><th>Name</th><th>Made</th><th>Status</th><th></th></tr></thead><tbody>");
        for (AdminToken t : engine.administration().adminTokens()) {
            page.raw("<tr data-name=\"").text(t.name()).raw("\"" + (t.revoked() ? " class=\"revoked\"" : "") + "><td>")
                    .text(t.name()).raw("</td><td>").text(Html.when(t.createdAt(), clock.instant())).raw("</td><td>")
                    .text(t.revoked() ? "Revoked " + Html.when(t.revokedAt(), clock.instant()) : "Valid")
                    .raw(t.name().equals(call.session.tokenName()) ? " (this session's)" : "").raw("</td><td>");
            if (!t.revoked()) {
                page.raw("<form class=\"inline\" method=\"post\" action=\"/admin/tokens/revoke\">").raw(Html.csrf(call.session))
                        .raw("<input type=\"hidden\" name=\"name\" value=\"").text(t.name())
                        .raw("\"><button type=\"submit\" class=\"danger\">Revoke</button></form>");
            }
            page.raw("</td></tr>");
        }
        page.raw("</tbody></table><h2>A new token</h2><form class=\"filter\" method=\"post\" action=\"/admin/tokens\">")
                .raw(Html.csrf(call.session)).raw("<label for=\"token-name\">Name</label>")
                .raw("<input id=\"token-name\" name=\"name\" required maxlength=\"64\" placeholder=\"the operator's name\">")
                .raw("<button type=\"submit\" id=\"create-token\">Make a token</button></form>");
        call.page(problem == null ? 200 : 422, page.finish());
    }

    private void create(Console.Call call) {
        String name = call.form.getValue("name");
        name = name == null ? "" : name.trim();
        String token = Secrets.newToken();
        try {
            engine.administration().createAdminToken(name, Secrets.hash(token));
        } catch (IllegalArgumentException | IllegalStateException e) {
            list(call, sentence(e.getMessage()), null);
            return;
        }
        LOG.warn("Admin token " + name + " created in the console (admin token " + call.session.tokenName() + ")");
        list(call, null, token);
    }

    private void revoke(Console.Call call) {
        String name = call.form.getValue("name");
        try {
            engine.administration().revokeAdminToken(name == null ? "" : name);
        } catch (java.util.NoSuchElementException e) {
            list(call, "There is no admin token named " + Console.shorten(name) + ".", null);
            return;
        } catch (IllegalStateException e) {
            list(call, sentence(e.getMessage()), null);
            return;
        }
        LOG.warn("Admin token " + name + " revoked in the console (admin token " + call.session.tokenName() + ")");
        call.redirect("/admin/tokens?done=revoked&name=" + Html.url(name));
    }

    /** @return the engine's message as a sentence: capital first, full stop last */
    private static String sentence(String message) {
        String m = message == null || message.isBlank() ? "The token was refused" : message.trim();
        return Character.toUpperCase(m.charAt(0)) + m.substring(1) + (m.endsWith(".") ? "" : ".");
    }
}
