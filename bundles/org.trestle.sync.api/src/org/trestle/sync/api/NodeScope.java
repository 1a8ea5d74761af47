package org.trestle.sync.api;

import java.util.List;

/**
 * Which entities a node receives: everything ({@code all}), or the entities of global types
 * and those belonging to the listed scope roots.
 *
 * @param all   whether the node receives everything
 * @param roots the uuids of the scope roots it receives (empty when {@code all})
 * @since 0.1
 */
public record NodeScope(boolean all, List<String> roots) {

    public static final NodeScope ALL = new NodeScope(true, List.of());

    public NodeScope {
        roots = all ? List.of() : List.copyOf(roots);
    }

    public static NodeScope of(List<String> roots) {
        return new NodeScope(false, roots);
    }
}
