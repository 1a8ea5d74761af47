package org.trestle.sync.server.internal.console;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Enumeration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

/**
 * The console's files, all served by the server itself: its style sheet and chart script
 * from this bundle, and uPlot from its WebJar bundle ({@code org.webjars.npm.uplot}),
 * installed with the server. Nothing is fetched from elsewhere at run time.
 */
final class Assets {

    static final String UPLOT_BUNDLE = "org.webjars.npm.uplot";
    private static final Map<String, String> TYPES = Map.of("console.css", "text/css; charset=utf-8", "health.js",
            "text/javascript; charset=utf-8", "uPlot.iife.min.js", "text/javascript; charset=utf-8", "uPlot.min.css",
            "text/css; charset=utf-8");

    private final Map<String, byte[]> loaded = new ConcurrentHashMap<>();

    void serve(Console.Call call, String name) {
        String type = TYPES.get(name);
        if (type == null) {
            throw new Console.ConsoleError(404, "The console has no file named " + Console.shorten(name) + ".");
        }
        byte[] bytes = loaded.computeIfAbsent(name, Assets::load);
        call.send(200, type, bytes);
    }

    private static byte[] load(String name) {
        URL url = name.startsWith("uPlot") ? fromWebJar(name) : Assets.class.getResource(name);
        if (url == null) {
            throw new IllegalStateException("the console's file " + name + " is missing from the installation"
                    + (name.startsWith("uPlot") ? " (bundle " + UPLOT_BUNDLE + ")" : ""));
        }
        try (InputStream in = url.openStream()) {
            return in.readNBytes(4 << 20);
        } catch (IOException e) {
            throw new IllegalStateException("the console's file " + name + " could not be read: " + e.getMessage(), e);
        }
    }

    private static URL fromWebJar(String name) {
        Bundle self = FrameworkUtil.getBundle(Assets.class);
        if (self == null || self.getBundleContext() == null) {
            return null;
        }
        for (Bundle b : self.getBundleContext().getBundles()) {
            if (UPLOT_BUNDLE.equals(b.getSymbolicName())) {
                Enumeration<URL> found = b.findEntries("META-INF/resources/webjars/uplot", name, true);
                while (found != null && found.hasMoreElements()) {
                    URL url = found.nextElement();
                    if (url.getPath().contains("/dist/")) {
                        return url;
                    }
                }
            }
        }
        return null;
    }
}
