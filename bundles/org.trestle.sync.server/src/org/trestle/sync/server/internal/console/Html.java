package org.trestle.sync.server.internal.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * One console page being written: the frame every page shares (title, navigation, who is
 * signed in, sign-out) and the escaping every value from the database goes through.
 * Pages carry no inline script or style, so the console's Content-Security-Policy can
 * allow only the server's own files.
 */
final class Html {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);
    /** The pages of the navigation: path and label. */
    private static final String[][] NAVIGATION = { { "nodes", "Nodes" }, { "conflicts", "Conflicts" },
            { "errors", "Quarantined changes" }, { "health", "Health" }, { "updates", "Updates" }, { "tokens", "Admin tokens" } };

    private final StringBuilder out = new StringBuilder(8192);

    /** Starts a page; {@code session} null for the sign-in page, which has no navigation. */
    Html(String title, String current, Sessions.Session session) {
        out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>").append(esc(title)).append(" \u2013 Trestle server</title>")
                .append("<link rel=\"stylesheet\" href=\"/admin/assets/console.css\">");
        if ("health".equals(current)) {
            out.append("<link rel=\"stylesheet\" href=\"/admin/assets/uPlot.min.css\">")
                    .append("<script src=\"/admin/assets/uPlot.iife.min.js\" defer></script>")
                    .append("<script src=\"/admin/assets/health.js\" defer></script>");
        }
        out.append("</head><body><header><span class=\"brand\">Trestle server</span>");
        if (session != null) {
            out.append("<nav>");
            for (String[] n : NAVIGATION) {
                out.append("<a href=\"/admin/").append(n[0]).append('"').append(n[0].equals(current) ? " class=\"current\"" : "")
                        .append(">").append(n[1]).append("</a>");
            }
            out.append("</nav><form class=\"signout\" method=\"post\" action=\"/admin/sign-out\">").append(csrf(session))
                    .append("<span class=\"who\">Signed in with the token <b>").append(esc(session.tokenName()))
                    .append("</b></span> <button type=\"submit\" id=\"sign-out\">Sign out</button></form>");
        }
        out.append("</header><main><h1>").append(esc(title)).append("</h1>");
    }

    Html raw(String html) {
        out.append(html);
        return this;
    }

    Html text(Object value) {
        out.append(esc(value == null ? "" : value.toString()));
        return this;
    }

    /** A message in a box: {@code kind} is {@code notice} or {@code problem}. */
    Html message(String kind, String text) {
        if (text != null && !text.isBlank()) {
            out.append("<p class=\"").append(kind).append("\" role=\"").append("problem".equals(kind) ? "alert" : "status")
                    .append("\">").append(esc(text)).append("</p>");
        }
        return this;
    }

    String finish() {
        return out.append("</main></body></html>\n").toString();
    }

    /** The hidden field every form of a signed-in page carries. */
    static String csrf(Sessions.Session session) {
        return "<input type=\"hidden\" name=\"csrf\" value=\"" + esc(session.csrf()) + "\">";
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c < 0x20 && c != '\n' && c != '\t' ? ' ' : c);
            }
        }
        return b.toString();
    }

    static String url(String s) {
        return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8);
    }

    /** @return "2026-12-04 13:45 UTC (3 min ago)", or "never" */
    static String when(Instant at, Instant now) {
        if (at == null) {
            return "never";
        }
        return TIME.format(at) + " (" + ago(Duration.between(at, now)) + ")";
    }

    static String ago(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return "just now";
        } else if (s < 3600) {
            return s / 60 + " min ago";
        } else if (s < 48 * 3600) {
            return s / 3600 + " h ago";
        }
        return s / 86400 + " days ago";
    }
}
