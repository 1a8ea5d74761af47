package org.trestle.sync.server.internal.console;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import org.trestle.sync.api.NodeInfo;
import org.trestle.sync.api.SyncEngine;

/**
 * What the server's update site offers (its products and features, read from the p2
 * metadata {@code content.jar} or {@code content.xml}) beside how many laptops run each
 * product version, so that a rollout can be followed.
 */
final class UpdatesPage {

    /** The most of the site's metadata read: a site of this product holds a few megabytes. */
    private static final long MAX_METADATA_BYTES = 64L << 20;
    static final String NOT_SAID = "not yet known";

    /** One installable unit of the site: a product or a feature. */
    record Offer(String id, String name, String version, boolean product) {
    }

    private final SyncEngine engine;
    private final Path site;

    UpdatesPage(SyncEngine engine, Path site) {
        this.engine = engine;
        this.site = site;
    }

    void serve(Console.Call call) {
        Html page = new Html("Updates", "updates", call.session);
        List<Offer> offers = List.of();
        String problem = null;
        if (site == null) {
            problem = "This server serves no update site: start it with --updates-dir (see the administrator's guide).";
        } else {
            try {
                offers = offers(site);
            } catch (IOException | XMLStreamException | RuntimeException e) {
                problem = "The update site in " + site + " could not be read: " + e.getMessage();
            }
        }
        page.message("problem", problem);
        if (site != null && problem == null) {
            page.raw("<p>").text("The update site " + site + " (served at /updates) offers:").raw("</p>")
                    .raw("<table id=\"offers\"><thead><tr><th>Kind</th><th>Name</th><th>Id</th><th>Version</th></tr></thead><tbody>");
            for (Offer o : offers) {
                page.raw("<tr><td>").text(o.product() ? "Product" : "Feature").raw("</td><td>").text(o.name())
                        .raw("</td><td class=\"small\">").text(o.id()).raw("</td><td>").text(o.version()).raw("</td></tr>");
            }
            page.raw("</tbody></table>");
        }
        Map<String, Integer> running = new TreeMap<>((a, b) -> NOT_SAID.equals(a) ? 1 : NOT_SAID.equals(b) ? -1 : b.compareTo(a));
        for (NodeInfo n : engine.syncManager().nodes()) {
            if (!n.self() && !n.server() && !n.revoked()) {
                running.merge(n.productVersion() == null ? NOT_SAID : n.productVersion(), 1, Integer::sum);
            }
        }
        String offered = offers.stream().filter(Offer::product).map(Offer::version).findFirst().orElse(null);
        page.raw("<h2>Laptops by product version</h2><table id=\"versions\"><thead><tr><th>Product version</th>")
                .raw("<th>Laptops</th><th></th></tr></thead><tbody>");
        running.forEach((version, count) -> page.raw("<tr><td>").text(version).raw("</td><td class=\"number\">").text(count)
                .raw("</td><td>").text(version.equals(offered) ? "the version the site offers" : "").raw("</td></tr>"));
        page.raw("</tbody></table>");
        if (running.isEmpty()) {
            page.message("notice", "No active laptop is registered.");
        }
        call.page(200, page.finish());
    }

    /** @return the products first, then the features, each by name */
    static List<Offer> offers(Path site) throws IOException, XMLStreamException {
        Path jar = site.resolve("content.jar");
        Path xml = site.resolve("content.xml");
        List<Offer> found;
        if (Files.isRegularFile(jar)) {
            try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(jar))) {
                ZipEntry e;
                while ((e = zip.getNextEntry()) != null && !"content.xml".equals(e.getName())) {
                    // skip to the metadata
                }
                if (e == null) {
                    throw new IOException("content.jar holds no content.xml");
                }
                found = read(new Bounded(zip));
            }
        } else if (Files.isRegularFile(xml)) {
            try (InputStream in = Files.newInputStream(xml)) {
                found = read(new Bounded(in));
            }
        } else {
            throw new IOException("it holds neither content.jar nor content.xml (is it a p2 repository?)");
        }
        found.sort((a, b) -> a.product() != b.product() ? (a.product() ? -1 : 1) : a.name().compareToIgnoreCase(b.name()));
        return found;
    }

    private static List<Offer> read(InputStream in) throws XMLStreamException {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        XMLStreamReader r = factory.createXMLStreamReader(in);
        List<Offer> offers = new ArrayList<>();
        String id = null;
        String version = null;
        Map<String, String> props = new TreeMap<>();
        int depth = 0;
        int unitDepth = -1;
        try {
            while (r.hasNext()) {
                int event = r.next();
                if (event == XMLStreamConstants.START_ELEMENT) {
                    depth++;
                    if ("unit".equals(r.getLocalName())) {
                        id = r.getAttributeValue(null, "id");
                        version = r.getAttributeValue(null, "version");
                        props.clear();
                        unitDepth = depth;
                    } else if ("property".equals(r.getLocalName()) && unitDepth > 0 && depth == unitDepth + 2) {
                        props.put(r.getAttributeValue(null, "name"), r.getAttributeValue(null, "value"));
                    }
                } else if (event == XMLStreamConstants.END_ELEMENT) {
                    if ("unit".equals(r.getLocalName()) && depth == unitDepth) {
                        boolean product = "true".equals(props.get("org.eclipse.equinox.p2.type.product"));
                        boolean group = "true".equals(props.get("org.eclipse.equinox.p2.type.group"));
                        if (id != null && (product || group && id.endsWith(".feature.group"))) {
                            String name = props.getOrDefault("org.eclipse.equinox.p2.name", id);
                            offers.add(new Offer(id, name.startsWith("%") ? id : name, version, product));
                        }
                        unitDepth = -1;
                    }
                    depth--;
                }
            }
        } finally {
            r.close();
        }
        return offers;
    }

    /** Reads at most {@link #MAX_METADATA_BYTES}, then fails: a site's metadata is never read whole into memory. */
    private static final class Bounded extends java.io.FilterInputStream {
        private long left = MAX_METADATA_BYTES;

        Bounded(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                throw new IOException("the site's metadata is larger than " + (MAX_METADATA_BYTES >> 20) + " MiB");
            }
            int n = super.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }

        @Override
        public void close() {
            // the zip stream is closed by its owner
        }
    }
}
