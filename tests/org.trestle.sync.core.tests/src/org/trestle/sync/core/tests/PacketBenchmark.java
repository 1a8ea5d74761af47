package org.trestle.sync.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.trestle.sync.api.EngineSettings;
import org.trestle.sync.api.ProcessResult;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.testing.SyncTestNodes;

/**
 * How long the engine takes to build a packet of 1,000 changes and to apply it on a
 * client, on real Derby. Not part of the test suite (its name does not end in Test);
 * run it with bin/bench.
 */
class PacketBenchmark {

    private static final int CHANGES = 1000;
    private static final int ROUNDS = 7;

    @Test
    void buildAndApplyAPacketOfAThousandChanges() {
        try (SyncTestNodes nodes = SyncTestNodes.start(0, EngineSettings.defaults().withBatchSize(CHANGES))) {
            SyncEngine server = nodes.server();
            SyncTestNodes.edit(server, em -> {
                for (int i = 0; i < CHANGES; i++) {
                    Site s = new Site();
                    s.setCode("B" + i);
                    s.setName("Benchmark site " + i);
                    s.setBudget(new BigDecimal(i + ".50"));
                    s.setFloors(i % 12);
                    em.persist(s);
                }
            });
            long[] build = new long[ROUNDS];
            long[] apply = new long[ROUNDS];
            int bytes = 0;
            for (int r = 0; r < ROUNDS; r++) {
                SyncEngine client = nodes.addClient("bench-" + r);
                long t0 = System.nanoTime();
                Packet packet = server.syncManager().buildPacket(client.self().nodeId());
                long t1 = System.nanoTime();
                ProcessResult result = client.syncManager().processPacket(packet);
                long t2 = System.nanoTime();
                assertEquals(CHANGES, packet.changes().size());
                assertEquals(CHANGES, result.processed());
                build[r] = t1 - t0;
                apply[r] = t2 - t1;
                bytes = server.packetManager().compress(packet).length;
            }
            System.out.printf("BENCHMARK packet_of_%d_changes build_ms_median=%.1f apply_ms_median=%.1f "
                    + "build_ms_all=%s apply_ms_all=%s gzip_bytes=%d%n", CHANGES, median(build), median(apply),
                    ms(build), ms(apply), bytes);
        }
    }

    private static double median(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2] / 1e6;
    }

    private static String ms(long[] nanos) {
        return Arrays.toString(Arrays.stream(nanos).mapToObj(n -> String.format("%.0f", n / 1e6)).toArray());
    }
}
