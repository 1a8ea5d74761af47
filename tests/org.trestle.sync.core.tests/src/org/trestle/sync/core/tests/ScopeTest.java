package org.trestle.sync.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.trestle.sync.api.NodeScope;
import org.trestle.sync.api.ProcessResult;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.api.packet.Operation;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.testing.SyncTestNodes;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/** Scopes through real exchanges: Site is a scope root, Task belongs to a site, Memo is global. */
class ScopeTest {

    private SyncTestNodes nodes;
    private SyncEngine server;
    private SyncEngine office;
    private SyncEngine site;

    private String s1;
    private String s2;
    private String t1;
    private String t2;
    private String memo;

    @BeforeEach
    void start() {
        nodes = SyncTestNodes.start(2);
        server = nodes.server();
        office = nodes.client(0);
        site = nodes.client(1);
        s1 = Sites.site(office, "S-1");
        s2 = Sites.site(office, "S-2");
        t1 = Sites.task(office, s1, "Pour the slab");
        t2 = Sites.task(office, s2, "Scaffold the east wall");
        memo = SyncTestNodes.write(office, em -> {
            Memo m = new Memo();
            m.setText("Global notice");
            em.persist(m);
            return m.getUuid();
        });
        nodes.sync(office);
    }

    @AfterEach
    void stop() {
        nodes.close();
    }

    private static boolean has(SyncEngine node, Class<? extends org.trestle.sync.api.entity.SyncEntity> type, String uuid) {
        return node.read(em -> em.find(type, uuid)) != null;
    }

    private String siteId() {
        return site.self().nodeId();
    }

    @Test
    void aScopeSetBeforeTheFirstExchangeShapesTheInitialLoad() {
        assertEquals(NodeScope.ALL, server.administration().scope(siteId()), "the default scope is everything");
        server.administration().setScope(siteId(), NodeScope.of(List.of(s1)));
        nodes.sync(site);
        assertTrue(has(site, Site.class, s1) && has(site, Task.class, t1), "the site in scope and its task");
        assertTrue(has(site, Memo.class, memo), "global types go everywhere");
        assertTrue(!has(site, Site.class, s2) && !has(site, Task.class, t2), "nothing of the other site");
        // later changes follow the scope too
        SyncTestNodes.edit(office, em -> {
            em.find(Task.class, t1).setHours(4);
            em.find(Task.class, t2).setHours(8);
        });
        nodes.sync(office);
        nodes.sync(site);
        assertEquals(4, site.read(em -> em.find(Task.class, t1)).getHours());
        assertTrue(!has(site, Task.class, t2));
        assertEquals(0, server.syncManager().pendingCount(siteId()), "nothing out of scope waits for the node");
    }

    @Test
    void aRootLeavingTheScopeIsEvictedAndOneEnteringArrivesWithItsSubtree() {
        nodes.sync(site);
        assertTrue(has(site, Task.class, t2), "everything before a scope is set");
        server.administration().setScope(siteId(), NodeScope.of(List.of(s1)));
        nodes.sync(site);
        assertTrue(!has(site, Site.class, s2) && !has(site, Task.class, t2), "the other site and its task left this laptop");
        assertTrue(has(site, Site.class, s1) && has(site, Memo.class, memo));
        assertTrue(has(server, Site.class, s2) && has(office, Task.class, t2), "an eviction deletes nothing elsewhere");
        assertTrue(!server.read(em -> em.find(Site.class, s2)).isDeleted());
        assertEquals(0, site.syncManager().pendingCount(server.self().nodeId()), "an eviction records no change");

        server.administration().setScope(siteId(), NodeScope.of(List.of(s2)));
        nodes.sync(site);
        assertTrue(has(site, Site.class, s2) && has(site, Task.class, t2), "no tombstone: the site comes back whole");
        assertTrue(!has(site, Site.class, s1) && !has(site, Task.class, t1));
        assertEquals(List.of(s2), server.administration().scope(siteId()).roots());
    }

    @Test
    void writesOutsideTheScopeAreRefusedPerChange() {
        server.administration().setScope(siteId(), NodeScope.of(List.of(s1)));
        nodes.sync(site);
        Instant now = Instant.now();
        var data = JsonNodeFactory.instance.objectNode().put("site", s2).put("title", "Sneaked in");
        var ok = JsonNodeFactory.instance.objectNode().put("site", s1).put("title", "Allowed");
        String sneaked = UUID.randomUUID().toString();
        String allowed = UUID.randomUUID().toString();
        ProcessResult r = server.syncManager().processPacket(new Packet(1, "1.0.0", siteId(), server.self().nodeId(), 100, 0,
                now, false, List.of(
                        new Change(1_000, "Task", sneaked, Operation.INSERT, now, data, null, null, null),
                        new Change(1_001, "Task", t2, Operation.UPDATE, now,
                                JsonNodeFactory.instance.objectNode().put("site", s2).put("title", "Edited"), null, null, null),
                        new Change(1_002, "Task", t1, Operation.UPDATE, now,
                                JsonNodeFactory.instance.objectNode().put("site", s2).put("title", "Moved out"), null, null, null),
                        new Change(1_003, "Task", allowed, Operation.INSERT, now, ok, null, null, null),
                        new Change(1_004, "Task", t1, Operation.EVICT, now, null, null, null, null))));
        assertEquals(List.of("out_of_scope", "out_of_scope", "out_of_scope", "invalid_operation"),
                r.errors().stream().map(e -> e.error()).toList());
        assertNull(server.read(em -> em.find(Task.class, sneaked)));
        assertEquals("Scaffold the east wall", server.read(em -> em.find(Task.class, t2)).getTitle());
        assertEquals(s1, server.read(em -> em.find(Task.class, t1)).getSite().getUuid());
        assertNotNull(server.read(em -> em.find(Task.class, allowed)));
        assertTrue(server.administration().deadLetters().stream().filter(d -> d.error().equals("out_of_scope")).count() == 3,
                "refused changes are kept for an administrator");
    }

    @Test
    void aNewRootCreatedByAScopedNodeJoinsItsScope() {
        server.administration().setScope(siteId(), NodeScope.of(List.of(s1)));
        nodes.sync(site);
        String s3 = Sites.site(site, "S-3");
        String t3 = Sites.task(site, s3, "Survey");
        nodes.sync(site);
        assertTrue(has(server, Task.class, t3));
        assertEquals(List.of(s1, s3).stream().sorted().toList(), server.administration().scope(siteId()).roots());
        nodes.sync(office);
        assertTrue(has(office, Task.class, t3), "a node with every root receives it");
        SyncTestNodes.edit(office, em -> em.find(Task.class, t3).setHours(2));
        nodes.sync(office);
        nodes.sync(site);
        assertEquals(2, site.read(em -> em.find(Task.class, t3)).getHours(), "later edits of it reach the creator");
    }

    @Test
    void anEntityMovingToAnotherRootLeavesOneNodeAndArrivesAtAnother() {
        SyncEngine other = nodes.addClient("client-3");
        server.administration().setScope(siteId(), NodeScope.of(List.of(s1)));
        server.administration().setScope(other.self().nodeId(), NodeScope.of(List.of(s2)));
        nodes.sync(site);
        nodes.sync(other);
        assertTrue(has(site, Task.class, t1) && !has(other, Task.class, t1));
        SyncTestNodes.edit(office, em -> em.find(Task.class, t1).setSite(em.find(Site.class, s2)));
        nodes.sync(office);
        nodes.sync(site);
        nodes.sync(other);
        assertTrue(!has(site, Task.class, t1), "the task left the node whose scope holds only its old site");
        assertTrue(has(other, Task.class, t1), "and arrived at the node whose scope holds its new site");
        assertEquals(s2, other.read(em -> em.find(Task.class, t1)).getSite().getUuid());
    }

    @Test
    void aLocalEditOfAnEvictedEntityIsStillSentAndAnsweredPerTheRules() {
        server.administration().setScope(siteId(), NodeScope.of(List.of(s1, s2)));
        nodes.sync(site);
        SyncTestNodes.edit(site, em -> em.find(Task.class, t2).setHours(12)); // not sent yet
        String local = Sites.task(site, s2, "Made offline");
        server.administration().setScope(siteId(), NodeScope.of(List.of(s1)));
        nodes.sync(site);
        assertTrue(!has(site, Task.class, t2) && !has(site, Task.class, local), "evicted, with what was made under it");
        assertTrue(server.administration().deadLetters().stream().filter(d -> d.error().equals("out_of_scope")).count() >= 2,
                "the edits reached the server and were kept there: " + server.administration().deadLetters());
        assertEquals(0, site.syncManager().pendingCount(server.self().nodeId()));
    }

    @Test
    void aScopeMustNameLiveRoots() {
        assertThrows(IllegalArgumentException.class,
                () -> server.administration().setScope(siteId(), NodeScope.of(List.of(t1))), "a task is not a root");
        assertThrows(IllegalArgumentException.class,
                () -> server.administration().setScope(siteId(), NodeScope.of(List.of(UUID.randomUUID().toString()))));
        assertThrows(IllegalArgumentException.class, () -> server.administration().setScope(server.self().nodeId(),
                NodeScope.ALL), "the server itself has no scope");
    }
}
