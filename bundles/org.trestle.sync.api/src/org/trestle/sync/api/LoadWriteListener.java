package org.trestle.sync.api;

/**
 * Told how far the writing of a new client's initial load has come. A client keeps its
 * initial load as it arrives and writes it into the entity tables once it is all here
 * (or when it opens again after an interruption); on a large load that takes a while,
 * and a person watching the workbench sees it as a second bar after the download.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface LoadWriteListener {

    /**
     * Told when the writing starts (with {@code written} 0), as it goes (about every
     * hundredth of the load) and when it ends ({@code written == total}), on the writing
     * thread: it must return quickly. What it throws is logged and does not stop the write.
     *
     * @param written entities written so far
     * @param total   entities the load holds in all
     */
    void written(long written, long total);
}
