package org.trestle.sync.client;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A sync server's base URL as a person or a setting gives it, checked before any token
 * travels: {@code https://} to any host, {@code http://} only to this computer, where
 * nothing crosses a network.
 *
 * @since 0.1
 */
public final class ServerUrl {

    private static final Pattern IPV4_LOOPBACK = Pattern.compile("^127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}$");

    private ServerUrl() {
    }

    /**
     * @return the URL, when it is one a token may be sent to
     * @throws IllegalArgumentException saying what is wrong and what to give instead
     */
    public static URI parse(String text) {
        URI uri;
        try {
            uri = new URI(text == null ? "" : text.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Invalid server URL '" + text + "': " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException("Invalid server URL '" + text + "': use https:// and a host");
        }
        if (scheme.equals("http") && !isLoopback(uri.getHost())) {
            throw new IllegalArgumentException("The server URL '" + text + "' uses http:// to another computer: this"
                    + " computer's token would travel unencrypted. Use https:// (http:// only reaches this computer)");
        }
        return uri;
    }

    /** @return whether a host names this computer: {@code localhost}, 127.x.x.x or ::1 */
    public static boolean isLoopback(String host) {
        String h = host == null ? "" : host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.equals("localhost") || IPV4_LOOPBACK.matcher(h).matches() || h.equals("::1")
                || h.equals("0:0:0:0:0:0:0:1");
    }
}
