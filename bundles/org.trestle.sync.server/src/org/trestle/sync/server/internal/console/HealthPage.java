package org.trestle.sync.server.internal.console;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Health over the last hours: the page holds the latest minute in numbers and four charts
 * that {@code health.js} draws with uPlot from {@code /admin/health.json}.
 */
final class HealthPage {

    private final ObjectMapper json;
    private final HealthHistory history;

    HealthPage(ObjectMapper json, HealthHistory history) {
        this.json = json;
        this.history = history;
    }

    void close() {
        history.close();
    }

    void serve(Console.Call call, boolean data) {
        List<HealthHistory.Sample> samples = history.samples();
        if (data) {
            call.send(200, "application/json; charset=utf-8", json(samples).toString().getBytes(StandardCharsets.UTF_8));
            return;
        }
        HealthHistory.Sample now = samples.get(samples.size() - 1);
        long exchanges = samples.stream().mapToLong(HealthHistory.Sample::exchanges).sum();
        long failures = samples.stream().mapToLong(HealthHistory.Sample::failures).sum();
        Html page = new Html("Health", "health", call.session);
        page.raw("<p>").text("Minute by minute for the last " + HealthHistory.KEPT.toHours() + " hours this server process"
                + " has run (" + samples.size() + (samples.size() == 1 ? " minute" : " minutes") + " so far); the charts show"
                + " times as this computer's clock does, and take the new minute each minute.")
                .raw("</p><table class=\"summary\" id=\"summary\"><tbody>")
                .raw("<tr><th>Exchanges in the period</th><td class=\"number\">").text(exchanges).raw("</td></tr>")
                .raw("<tr><th>Exchanges refused or failed</th><td class=\"number\">").text(failures).raw("</td></tr>")
                .raw("<tr><th>Changes in / out this minute</th><td class=\"number\">")
                .text(now.changesIn() + " / " + now.changesOut()).raw("</td></tr>")
                .raw("<tr><th>Changes waiting, laptop with most</th><td class=\"number\">")
                .text(now.pending().isEmpty() ? "none" : now.pending().entrySet().iterator().next().getKey() + ": "
                        + now.pending().entrySet().iterator().next().getValue())
                .raw("</td></tr></tbody></table>")
                .raw("<div class=\"charts\">")
                .raw("<figure><figcaption>Exchanges per minute</figcaption><div class=\"chart\" id=\"chart-exchanges\"></div></figure>")
                .raw("<figure><figcaption>Changes in and out per minute</figcaption><div class=\"chart\" id=\"chart-changes\"></div></figure>")
                .raw("<figure><figcaption>Changes waiting, by laptop</figcaption><div class=\"chart\" id=\"chart-pending\"></div></figure>")
                .raw("<figure><figcaption>Mean exchange time (ms)</figcaption><div class=\"chart\" id=\"chart-latency\"></div></figure>")
                .raw("</div><noscript><p>The charts need JavaScript; the numbers above do not.</p></noscript>");
        call.page(200, page.finish());
    }

    /** The samples as columns, as uPlot takes them: times in seconds, then one array per series. */
    private ObjectNode json(List<HealthHistory.Sample> samples) {
        ObjectNode out = json.createObjectNode();
        ArrayNode at = out.putArray("minutes");
        ArrayNode exchanges = out.putArray("exchanges");
        ArrayNode failures = out.putArray("failures");
        ArrayNode in = out.putArray("changes_in");
        ArrayNode sent = out.putArray("changes_out");
        ArrayNode latency = out.putArray("latency_ms");
        Set<String> codes = new LinkedHashSet<>();
        for (HealthHistory.Sample s : samples) {
            at.add(s.at().getEpochSecond());
            exchanges.add(s.exchanges());
            failures.add(s.failures());
            in.add(s.changesIn());
            sent.add(s.changesOut());
            if (s.latencyMs() == null) {
                latency.addNull();
            } else {
                latency.add(Math.round(s.latencyMs() * 10) / 10.0);
            }
            codes.addAll(s.pending().keySet());
        }
        ObjectNode pending = out.putObject("pending");
        for (String code : codes) {
            ArrayNode series = pending.putArray(code);
            for (HealthHistory.Sample s : samples) {
                Long v = s.pending().get(code);
                if (v == null) {
                    series.addNull();
                } else {
                    series.add(v);
                }
            }
        }
        return out;
    }
}
