package org.trestle.sync.server.internal.console;

/**
 * The server's running totals since it started, as its metrics count them; the console's
 * health charts take the difference from one minute to the next.
 */
public interface Counters {

    long exchanges();

    long exchangeFailures();

    /** Changes received from nodes and applied (or held for a reference). */
    long changesIn();

    /** Changes sent to nodes. */
    long changesOut();

    /** Exchanges timed so far, and their time in all, in microseconds. */
    long timedExchanges();

    long exchangeMicros();
}
