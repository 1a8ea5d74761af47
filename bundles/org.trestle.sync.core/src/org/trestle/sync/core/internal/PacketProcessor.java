package org.trestle.sync.core.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.persistence.EntityManager;
import jakarta.persistence.FlushModeType;
import jakarta.persistence.PersistenceException;

import org.trestle.sync.api.ProcessResult;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.api.packet.PacketException;
import org.trestle.sync.api.packet.Wire;
import org.trestle.sync.core.internal.model.DeferredRow;
import org.trestle.sync.core.internal.model.SyncNodeRow;
import org.trestle.sync.core.internal.model.SyncPacketRow;

/**
 * Processes incoming packets: the ack, then the changes in seq order, one packet at a
 * time under the apply lock. Packets that queue for the lock meanwhile are applied
 * together in one transaction (group commit) as long as they name different entities;
 * a change the database refuses is found by applying the packet again, flushing after
 * each change, and is kept aside while the rest commit.
 */
final class PacketProcessor {

    private final EngineState state;
    private final PacketCodec packets;
    private final Queries queries;
    private final Prefetch prefetch;
    private final ChangeApplier applier;
    private final LoadStaging staging;

    PacketProcessor(EngineState state, Prefetch prefetch, ChangeApplier applier, LoadStaging staging) {
        this.state = state;
        this.packets = state.packets;
        this.queries = state.queries;
        this.prefetch = prefetch;
        this.applier = applier;
        this.staging = staging;
    }

    /** A change whose writing failed in the database; the packet is processed again without it. */
    private static final class FailedChange extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final long seq;

        FailedChange(long seq, String message) {
            super(message, null, false, false);
            this.seq = seq;
        }
    }

    ProcessResult processPacket(Packet packet) {
        state.requireSelf();
        packets.validate(packet);
        // the server translates between versions (down, for each node, before it sends), so it
        // alone decides whether a node's versions can be translated
        for (var said : state.isServer() ? packet.types().entrySet() : java.util.Set.<java.util.Map.Entry<String, String>>of()) {
            EntityCodec.TypeCodec tc = state.codec.type(said.getKey());
            String why = tc == null ? null : TypeMigrations.incompatibility(tc.info(), said.getValue());
            if (why != null) {
                // refused whole, before anything is applied: the sender keeps its changes queued
                throw new PacketException(PacketException.SCHEMA_INCOMPATIBLE, why);
            }
        }
        if (!packet.target().equals(state.selfId())) {
            throw new PacketException(PacketException.INVALID, "the packet's target " + Wire.abbreviate(packet.target())
                    + " is not this node");
        }
        SyncNodeRow sender = state.read(em -> em.find(SyncNodeRow.class, packet.sender()));
        if (sender == null || sender.self) {
            throw new PacketException(PacketException.INVALID, "the packet's sender " + Wire.abbreviate(packet.sender())
                    + " is not a node known here");
        }
        if (sender.revoked) {
            throw new PacketException(PacketException.INVALID, "the sender " + sender.code + " is revoked");
        }
        ReentrantLock lock = state.nodeLock(sender.nodeId);
        lock.lock();
        try {
            Job job = new Job(packet, sender.code);
            boolean client = !state.isServer();
            job.keepable = client && staging.couldKeep(packet);
            jobs.add(job);
            state.applyLock.lock();
            try {
                if (client && staging.hasKept() && !job.keepable) {
                    // the load's kept changes are written before anything else is applied
                    staging.write();
                }
                while (!job.done) {
                    runGroup();
                }
                if (client && job.error == null && !packet.hasMore() && staging.hasKept()) {
                    staging.write(); // the server said nothing more follows: the load is all here
                }
            } finally {
                state.applyLock.unlock();
            }
            if (job.error != null) {
                throw job.error;
            }
            state.bulk.committed(job.bulk, job.derived);
            return job.result;
        } finally {
            lock.unlock();
        }
    }

    /** A packet waiting to be applied, and what came of it. */
    private static final class Job {
        final Packet packet;
        final String senderCode;
        ProcessResult result;
        Map<String, Long> bulk = Map.of();
        Map<String, Class<? extends SyncEntity>> derived = Map.of();
        /** Whether the packet could be kept as part of an initial load ({@link LoadStaging#couldKeep}). */
        boolean keepable;
        RuntimeException error;
        boolean done;

        Job(Packet packet, String senderCode) {
            this.packet = packet;
            this.senderCode = senderCode;
        }
    }

    /** Packets waiting for the apply lock; at most one per sender, as the sender's lock is held meanwhile. */
    private final ConcurrentLinkedQueue<Job> jobs = new ConcurrentLinkedQueue<>();

    private final AtomicLong grouped = new AtomicLong();

    /** @return how many packets were applied in a transaction shared with others since this engine opened */
    long groupedPacketCount() {
        return grouped.get();
    }

    /** Changes applied in one transaction at most when packets are grouped. */
    private static final int GROUP_CHANGES = 2_000;

    /**
     * Applies the waiting packets, oldest first, under the apply lock. Packets that
     * queued up meanwhile are applied together in one transaction (group commit: one
     * write to the log on disk for all of them) as long as they name different
     * entities, so that none can hide a conflict from another; the log rows still
     * record each change with its own origin. Should anything in a group fail, each of
     * its packets is applied again on its own, where errors are isolated per change.
     */
    private void runGroup() {
        List<Job> group = new ArrayList<>();
        Set<String> named = new HashSet<>();
        int changes = 0;
        for (Job next; (next = jobs.peek()) != null;) {
            List<String> uuids = next.packet.changes().stream().map(Change::entityUuid).toList();
            if (!group.isEmpty() && (changes + uuids.size() > GROUP_CHANGES || uuids.stream().anyMatch(named::contains))) {
                break;
            }
            jobs.poll();
            group.add(next);
            named.addAll(uuids);
            changes += uuids.size();
        }
        if (group.isEmpty()) {
            return;
        }
        if (group.size() > 1 && !heldChangesMeet(named)) {
            try {
                List<Outcome> outcomes = state.inTx(em -> {
                    List<Outcome> list = new ArrayList<>();
                    for (Job j : group) {
                        list.add(processOnce(em, j.packet, Map.of(), false, true, j.keepable));
                        // what this packet wrote is seen by the rules checked for the next
                        em.flush();
                    }
                    return list;
                });
                grouped.addAndGet(group.size());
                for (int i = 0; i < group.size(); i++) {
                    Outcome o = outcomes.get(i);
                    group.get(i).result = o.result();
                    group.get(i).bulk = o.bulk;
                    group.get(i).derived = o.derived;
                    group.get(i).done = true;
                }
                return;
            } catch (RuntimeException e) {
                // applied again one by one below, where a failing change is found and kept aside
            }
        }
        for (Job j : group) {
            try {
                applyAlone(j);
            } catch (RuntimeException e) {
                j.error = e;
            } finally {
                j.done = true;
            }
        }
    }

    /** Above this many held changes the group's entities are not compared with them: packets apply one by one. */
    private static final int HELD_COMPARED = 10_000;

    /**
     * Whether a held change concerns an entity the group names: releasing it inside the
     * group could change an entity another packet of the group changes, without either
     * seeing the other's log row. Held changes of other entities do not stop group commit.
     */
    private boolean heldChangesMeet(Set<String> named) {
        return state.read(em -> {
            long held = queries.of(em, "select count(d) from DeferredRow d", Long.class).getSingleResult();
            if (held == 0) {
                return false;
            }
            if (held > HELD_COMPARED) {
                return true;
            }
            return queries.of(em, "select d.entityUuid from DeferredRow d", String.class).getResultList().stream()
                    .anyMatch(named::contains);
        });
    }

    /** Applies one packet in its own transaction, isolating a change that the database refuses. */
    private void applyAlone(Job job) {
        Packet packet = job.packet;
        String senderCode = job.senderCode;
        Map<Long, String> failed = new HashMap<>();
        boolean isolate = false;
        boolean bulk = true;
        for (int attempt = 0;; attempt++) {
            boolean flushEach = isolate;
            boolean bulkAllowed = bulk;
            try {
                Outcome o = state.inTx(em -> processOnce(em, packet, failed, flushEach, bulkAllowed, job.keepable));
                job.result = o.result();
                job.bulk = o.bulk;
                job.derived = o.derived;
                return;
            } catch (BulkWriter.Refused r) {
                // an entity of the packet was here after all: the normal way decides
                bulk = false;
            } catch (PersistenceException e) {
                if (isolate) {
                    throw e;
                }
                // some change broke a constraint: process again, flushing after each change to find it
                isolate = true;
            } catch (FailedChange f) {
                if (failed.containsKey(f.seq) || attempt > packet.changes().size()) {
                    throw new IllegalStateException("packet " + packet.packetNo() + " from " + senderCode
                            + " could not be applied: " + f.getMessage());
                }
                failed.put(f.seq, f.getMessage());
            }
        }
    }

    private Outcome processOnce(EntityManager em, Packet p, Map<Long, String> failed, boolean flushEach,
            boolean bulkAllowed, boolean keepable) {
        if (!flushEach) {
            // Queries while applying must not flush the whole unit of work each time (that
            // made a packet quadratic in its size). What they must see is flushed on
            // purpose (deferred changes); a constraint that only the database can check
            // fails the commit, and the packet is then applied again flushing each change.
            em.setFlushMode(FlushModeType.COMMIT);
        }
        // other processes apply nothing meanwhile: each change sees every change committed before it
        state.sharedLog.hold(em);
        Outcome o = new Outcome();
        o.senderTypes = p.types();
        o.deferredExist = queries.of(em, "select count(d) from DeferredRow d", Long.class).getSingleResult() > 0;
        prefetch.checkTombstones(em, o);
        // its counters as the database holds them (the sender's lock orders its packets)
        SyncNodeRow sender = em.find(SyncNodeRow.class, p.sender(), EngineState.FROM_DATABASE);
        if (!p.types().isEmpty()) {
            String said = SyncNodeRow.typeVersionsText(p.types());
            if (said.length() <= 32000 && !said.equals(sender.typeVersions)) {
                sender.typeVersions = said;
            }
        }
        if (p.ack() > 0 && p.ack() <= sender.sentPacketNo) {
            SyncPacketRow acked = em.find(SyncPacketRow.class, SyncPacketRow.key(sender.nodeId, p.ack()));
            if (acked != null && acked.maxSeq > sender.ackedSeq) {
                sender.ackedSeq = acked.maxSeq;
            }
            if (acked != null && acked.loadCursor != null && sender.loadCursor != null) {
                // the node holds the load up to this packet's end: a rebuilt packet starts there
                sender.loadCursor = InitialLoad.DONE.equals(acked.loadCursor) ? null : acked.loadCursor;
            }
        }
        if (p.packetNo() <= sender.receivedPacketNo) {
            o.skipped = p.changes().size();
        } else {
            // The sender's clock may be minutes off. The server reads a change's time as its
            // age on the sender's clock when the packet was built, counted back from when the
            // packet arrived here, so that timestamp_wins compares times of one clock.
            Instant arrived = Wire.now();
            Duration shift = state.isServer() && p.createdAt() != null ? Duration.between(p.createdAt(), arrived)
                    : Duration.ZERO;
            if (shift.abs().compareTo(CLOCK_TOLERANCE) < 0) {
                // in step (what remains is transfer time): the sender's times stand as sent
                shift = Duration.ZERO;
            }
            boolean whole = bulkAllowed && !flushEach && failed.isEmpty();
            if (whole && keepable && staging.accepts(em, p.changes(), sender.appliedSeq, o)) {
                staging.keep(em, p.changes());
                o.processed = p.changes().size();
                return receivedWhole(sender, p, o);
            }
            if (whole && state.bulk.eligible(em, p.changes(), sender.appliedSeq, o)) {
                o.bulk = state.bulk.write(em, p.changes(), o);
                return receivedWhole(sender, p, o);
            }
            prefetch.probeAbsent(em, p.changes(), sender.appliedSeq, o);
            prefetch.prefetchReferences(em, p.changes(), sender.appliedSeq, o);
            for (Change sent : p.changes()) {
                // no time from a node lies ahead of the server's clock (plus the skew allowed): a
                // change dated in the year 9999 would win every later timestamp_wins conflict
                Change c = !state.isServer() ? sent : shift.isZero() ? notAfter(sent, arrived.plus(CLOCK_TOLERANCE))
                        : onServerClock(sent, shift, arrived);
                if (c.seq() <= sender.appliedSeq) {
                    o.skipped++;
                    continue;
                }
                sender.appliedSeq = c.seq();
                String failure = failed.get(c.seq());
                if (failure != null) {
                    applier.deadLetter(em, sender.nodeId, c, "apply_failed", failure, o);
                    continue;
                }
                if (!flushEach) {
                    applier.applyChecked(em, sender, c, o);
                    continue;
                }
                try {
                    applier.applyChecked(em, sender, c, o);
                    em.flush();
                } catch (PersistenceException e) {
                    throw new FailedChange(c.seq(), EngineState.rootMessage(e));
                }
            }
            sender.receivedPacketNo = p.packetNo();
        }
        sender.lastSyncIn = Wire.now();
        return o;
    }

    /** Records a packet taken whole (kept, or written in bulk) as received from its sender. */
    private static Outcome receivedWhole(SyncNodeRow sender, Packet p, Outcome o) {
        sender.appliedSeq = p.changes().get(p.changes().size() - 1).seq();
        sender.receivedPacketNo = p.packetNo();
        sender.lastSyncIn = Wire.now();
        return o;
    }

    /** Below this difference between a packet's creation and its arrival, clocks count as in step. */
    static final Duration CLOCK_TOLERANCE = Duration.ofSeconds(2);

    /** The change with its time moved by the sender's clock offset, never later than its arrival. */
    /** The change with its time moved back to {@code latest} when it is later. */
    static Change notAfter(Change c, Instant latest) {
        if (c.updatedAt() == null || !c.updatedAt().isAfter(latest)) {
            return c;
        }
        return new Change(c.seq(), c.entityType(), c.entityUuid(), c.operation(), latest, c.data(), c.changed(), c.base(),
                c.resolves());
    }

    static Change onServerClock(Change c, Duration shift, Instant arrived) {
        if (c.updatedAt() == null) {
            return c;
        }
        Instant t = c.updatedAt().plus(shift);
        if (t.isAfter(arrived)) {
            t = arrived;
        }
        return new Change(c.seq(), c.entityType(), c.entityUuid(), c.operation(), t, c.data(), c.changed(), c.base(),
                c.resolves());
    }
}
