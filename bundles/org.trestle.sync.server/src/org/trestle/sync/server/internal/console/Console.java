package org.trestle.sync.server.internal.console;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.FormFields;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trestle.sync.api.AdminToken;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.server.internal.Secrets;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The administrator's console at {@code /admin/}: server-rendered pages over the same
 * engine the admin API uses. Signing in takes an admin token (a node token is refused) and
 * opens a session whose cookie is {@code HttpOnly}, {@code SameSite=Strict}, limited to
 * {@code /admin} and {@code Secure} over HTTPS; every form carries the session's CSRF token
 * and a form from another origin is refused. Without a session nothing but the sign-in page
 * and its style sheet answers. Sessions live in this process: behind a load balancer the
 * console needs sticky sessions (docs/admin-guide.md).
 */
public final class Console {

    static final String PREFIX = "/admin";
    static final String COOKIE = "trestle_console";
    /** The sign-in form's own cookie: its value must come back in the form (double submit). */
    static final String SIGN_IN_COOKIE = "trestle_console_sign_in";
    private static final int MAX_FORM_FIELDS = 2000;
    private static final int MAX_FORM_BYTES = 256 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(Console.class);

    private final SyncEngine engine;
    private final Sessions sessions;
    private final Assets assets = new Assets();
    private final NodePages nodes;
    private final ConflictPages conflicts;
    private final HealthPage health;
    private final UpdatesPage updates;
    private final TokenPages tokens;

    public Console(ObjectMapper json, SyncEngine engine, Path updatesDirectory, Counters counters) {
        this(json, engine, updatesDirectory, counters, Clock.systemUTC());
    }

    Console(ObjectMapper json, SyncEngine engine, Path updatesDirectory, Counters counters, Clock clock) {
        this.engine = engine;
        this.sessions = new Sessions(clock);
        this.nodes = new NodePages(engine, clock);
        this.conflicts = new ConflictPages(json, engine, clock);
        this.health = new HealthPage(json, new HealthHistory(engine, counters, clock));
        this.updates = new UpdatesPage(engine, updatesDirectory);
        this.tokens = new TokenPages(engine, clock);
    }

    /** @return whether the path is the console's */
    public static boolean owns(String path) {
        return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
    }

    /** Stops taking samples for the health charts. */
    public void close() {
        health.close();
    }

    /** Answers one request under {@code /admin}. */
    public void handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        Call call = new Call(request, response, callback, null);
        try {
            if (path.equals(PREFIX)) {
                call.redirect(PREFIX + "/");
                return;
            }
            String rest = path.substring(PREFIX.length() + 1);
            if (rest.equals("assets/console.css")) {
                call.allow("GET", "HEAD");
                assets.serve(call, "console.css");
                return;
            }
            Optional<Sessions.Session> session = session(request);
            if (rest.equals("sign-in") || rest.isEmpty()) {
                if (session.isPresent() && !"POST".equals(method)) {
                    call.redirect(PREFIX + "/nodes");
                } else if ("POST".equals(method) && rest.equals("sign-in")) {
                    signIn(call);
                } else {
                    call.allow("GET", "HEAD");
                    signInPage(call, null, 200);
                }
                return;
            }
            if (session.isEmpty()) {
                if ("GET".equals(method) || "HEAD".equals(method)) {
                    call.redirect(PREFIX + "/sign-in");
                } else {
                    throw new ConsoleError(401, "You are not signed in (or your session has ended): sign in again.");
                }
                return;
            }
            call = new Call(request, response, callback, session.get());
            if ("POST".equals(method)) {
                checkForm(call);
            }
            route(call, rest, method);
        } catch (ConsoleError e) {
            if (e.status == 413) {
                // the rest of the refused body is never read: the connection cannot carry another request
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
            call.page(e.status, new Html(e.status == 404 ? "Not found" : "Not done", "", call.session)
                    .message("problem", e.getMessage()).finish());
        } catch (RuntimeException e) {
            LOG.error("Console request " + method + " " + path + " failed", e);
            call.page(500, new Html("Not done", "", call.session)
                    .message("problem", "The server could not answer this page; the server log says why.").finish());
        }
    }

    private void route(Call call, String rest, String method) {
        if (rest.equals("sign-out")) {
            call.allow("POST");
            sessions.end(call.session);
            LOG.info("Console session of admin token " + call.session.tokenName() + " signed out");
            call.response.getHeaders().add(HttpHeader.SET_COOKIE, cookie(call.request, COOKIE, "", 0));
            signInPage(call, "You are signed out.", 200);
        } else if (rest.startsWith("assets/")) {
            call.allow("GET", "HEAD");
            assets.serve(call, rest.substring("assets/".length()));
        } else if (rest.equals("nodes") || rest.startsWith("nodes/")) {
            nodes.handle(call, rest.equals("nodes") ? "" : rest.substring("nodes/".length()), method);
        } else if (rest.equals("conflicts") || rest.equals("conflicts/resolve")) {
            conflicts.conflicts(call, rest.equals("conflicts") ? "" : "resolve", method);
        } else if (rest.equals("errors")) {
            call.allow("GET", "HEAD");
            conflicts.errors(call);
        } else if (rest.equals("health") || rest.equals("health.json")) {
            call.allow("GET", "HEAD");
            health.serve(call, rest.endsWith(".json"));
        } else if (rest.equals("tokens") || rest.startsWith("tokens/")) {
            tokens.handle(call, rest.equals("tokens") ? "" : rest.substring("tokens/".length()), method);
        } else if (rest.equals("updates")) {
            call.allow("GET", "HEAD");
            updates.serve(call);
        } else {
            throw new ConsoleError(404, "The console has no page at /admin/" + shorten(rest) + ".");
        }
    }

    /** @return the request's live session whose admin token is still valid */
    private Optional<Sessions.Session> session(Request request) {
        Optional<Sessions.Session> s = sessions.find(cookieValue(request, COOKIE));
        if (s.isPresent() && engine.administration().adminTokenByHash(s.get().tokenHash()).isEmpty()) {
            LOG.info("Console session of admin token " + s.get().tokenName() + " ended: the token was revoked");
            sessions.end(s.get());
            return Optional.empty();
        }
        return s;
    }

    /** Every form of a signed-in page: from this origin, with the session's CSRF token. */
    private void checkForm(Call call) {
        sameOrigin(call.request);
        call.form = form(call.request);
        if (!Sessions.same(call.form.getValue("csrf"), call.session.csrf())) {
            throw new ConsoleError(403, "The form did not carry this session's check value (it may come from another"
                    + " page or an older session); nothing was changed. Open the page again and repeat.");
        }
    }

    private void signIn(Call call) {
        sameOrigin(call.request);
        Fields form = form(call.request);
        String address = Request.getRemoteAddr(call.request);
        Optional<java.time.Instant> refused = sessions.refusedUntil(address);
        if (refused.isPresent()) {
            signInPage(call, "Too many failed sign-ins from this address; try again after "
                    + Html.when(refused.get(), refused.get()).replace(" (just now)", "") + ".", 429);
            return;
        }
        String check = cookieValue(call.request, SIGN_IN_COOKIE);
        if (!Sessions.same(check, form.getValue("check"))) {
            signInPage(call, "The sign-in form had expired; enter the token again.", 403);
            return;
        }
        String token = form.getValue("token");
        token = token == null ? "" : token.trim();
        String hash = token.isEmpty() || token.length() > 512 ? null : Secrets.hash(token);
        Optional<AdminToken> admin = hash == null ? Optional.empty() : engine.administration().adminTokenByHash(hash);
        if (admin.isEmpty()) {
            sessions.failed(address);
            boolean node = hash != null && engine.administration().nodeByTokenHash(hash, false).isPresent();
            LOG.warn("Console sign-in refused from " + address + (node ? ": a node token" : ": not a valid admin token"));
            signInPage(call, node ? "This is a laptop's (node's) token: the console needs an admin token."
                    : "This is not a valid admin token (unknown or revoked).", 401);
            return;
        }
        sessions.succeeded(address);
        String id = sessions.open(hash, admin.get().name());
        LOG.info("Console session opened with admin token " + admin.get().name() + " from " + address);
        call.response.getHeaders().add(HttpHeader.SET_COOKIE, cookie(call.request, SIGN_IN_COOKIE, "", 0));
        call.response.getHeaders().add(HttpHeader.SET_COOKIE,
                cookie(call.request, COOKIE, id, (int) Sessions.LIFETIME.toSeconds()));
        call.redirect(PREFIX + "/nodes");
    }

    private void signInPage(Call call, String problem, int status) {
        String check = sessions.newSecret();
        call.response.getHeaders().add(HttpHeader.SET_COOKIE, cookie(call.request, SIGN_IN_COOKIE, check, 3600));
        Html page = new Html("Sign in", "", null);
        page.message(status == 200 ? "notice" : "problem", problem);
        page.raw("<form class=\"signin\" method=\"post\" action=\"/admin/sign-in\">")
                .raw("<input type=\"hidden\" name=\"check\" value=\"").text(check).raw("\">")
                .raw("<label for=\"token\">Admin token</label>")
                .raw("<input type=\"password\" id=\"token\" name=\"token\" autocomplete=\"off\" required autofocus>")
                .raw("<button type=\"submit\" id=\"sign-in\">Sign in</button>")
                .raw("<p class=\"hint\">The token given with <code>--admin-token</code> or kept in the server's")
                .raw(" <code>admin.token</code> file, or one made with <code>POST /api/admin/tokens</code>.</p></form>");
        call.page(status, page.finish());
    }

    /**
     * Refuses a form posted from another origin (the browser says where it comes from): the
     * origin's host and port must be those the request was sent to. The scheme is not
     * compared, since a TLS proxy in front of a plain-HTTP server changes it.
     */
    private static void sameOrigin(Request request) {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin == null) {
            return;
        }
        String host = request.getHeaders().get(HttpHeader.HOST);
        String forwarded = fromLocalProxy(request) ? request.getHeaders().get(HttpHeader.X_FORWARDED_HOST) : null;
        String authority = origin.replaceFirst("^(?i)https?://", "");
        if (authority.equals(origin) || !(authority.equalsIgnoreCase(String.valueOf(host))
                || authority.equalsIgnoreCase(String.valueOf(forwarded)))) {
            throw new ConsoleError(403, "The form came from another site (" + shorten(origin) + "); nothing was changed.");
        }
    }

    /** @return whether the browser reached the console over HTTPS, directly or through a TLS proxy on this computer */
    static boolean secure(Request request) {
        return request.isSecure() || fromLocalProxy(request)
                && "https".equalsIgnoreCase(request.getHeaders().get(HttpHeader.X_FORWARDED_PROTO));
    }

    /** A proxy's forwarding headers are believed only from this computer (where --http listens). */
    private static boolean fromLocalProxy(Request request) {
        String address = Request.getRemoteAddr(request);
        return address != null && (address.equals("127.0.0.1") || address.equals("::1") || address.equals("0:0:0:0:0:0:0:1")
                || address.equals("[::1]"));
    }

    private static Fields form(Request request) {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            throw new ConsoleError(415, "The console takes its forms as application/x-www-form-urlencoded.");
        }
        if (request.getLength() > MAX_FORM_BYTES) {
            // a form somewhat over the limit is read and dropped, so that the browser shows the answer
            org.trestle.sync.server.internal.Http.dropRefusedBody(request, 4L * MAX_FORM_BYTES);
            throw new ConsoleError(413, "The form is larger than " + MAX_FORM_BYTES / 1024 + " KiB.");
        }
        try {
            return FormFields.getFields(request, MAX_FORM_FIELDS, MAX_FORM_BYTES);
        } catch (RuntimeException e) {
            throw new ConsoleError(400, "The form could not be read (too large or not well formed).");
        }
    }

    private static String cookieValue(Request request, String name) {
        for (HttpCookie c : Request.getCookies(request)) {
            if (name.equals(c.getName())) {
                return c.getValue();
            }
        }
        return null;
    }

    private static String cookie(Request request, String name, String value, int maxAge) {
        return name + "=" + value + "; Path=" + PREFIX + "; Max-Age=" + maxAge + "; HttpOnly; SameSite=Strict"
                + (secure(request) ? "; Secure" : "");
    }

    static String shorten(String s) {
        return s == null ? "" : s.length() > 80 ? s.substring(0, 80) + "\u2026" : s;
    }

    /** One request being answered, with its session once signed in and its form once read. */
    static final class Call {
        final Request request;
        final Response response;
        final Callback callback;
        final Sessions.Session session;
        Fields form;

        Call(Request request, Response response, Callback callback, Sessions.Session session) {
            this.request = request;
            this.response = response;
            this.callback = callback;
            this.session = session;
        }

        Fields query() {
            return Request.extractQueryParameters(request);
        }

        void allow(String... methods) {
            for (String m : methods) {
                if (m.equals(request.getMethod())) {
                    return;
                }
            }
            response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", methods));
            throw new ConsoleError(405, "This page does not answer " + shorten(request.getMethod()) + ".");
        }

        void redirect(String to) {
            secure();
            response.setStatus(303);
            response.getHeaders().put(HttpHeader.LOCATION, to);
            response.write(true, null, callback);
        }

        void page(int status, String html) {
            send(status, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
        }

        void send(int status, String contentType, byte[] body) {
            secure();
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
            response.write(true, "HEAD".equals(request.getMethod()) ? null : ByteBuffer.wrap(body), callback);
        }

        private void secure() {
            var h = response.getHeaders();
            h.put(HttpHeader.CACHE_CONTROL, "no-store");
            h.put("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                    + " frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
            h.put("X-Content-Type-Options", "nosniff");
            h.put("X-Frame-Options", "DENY");
            h.put("Referrer-Policy", "same-origin"); // "no-referrer" would make browsers send "Origin: null" with forms
        }
    }

    /** A request the console refuses, with the words to show. */
    static final class ConsoleError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        ConsoleError(int status, String message) {
            super(message);
            this.status = status;
        }
    }
}
