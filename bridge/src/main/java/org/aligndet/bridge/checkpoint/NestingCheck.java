package org.aligndet.bridge.checkpoint;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Checks that an unpickled value is a finite tree-like structure no deeper than
 * {@link #MAX_DEPTH}: no container contains itself, so callers can walk, print, compare and
 * write it back without unbounded recursion. Shared sub-values are visited once, so the check is
 * linear in the size of the structure.
 */
final class NestingCheck {
    static final int MAX_DEPTH = 512;

    private final String source;
    private final IdentityHashMap<Object, Integer> height = new IdentityHashMap<>();
    private final IdentityHashMap<Object, Boolean> onPath = new IdentityHashMap<>();

    private NestingCheck(String source) {
        this.source = source;
    }

    static void check(String source, Object root) throws CheckpointFormatException {
        new NestingCheck(source).height(root, 0);
    }

    private int height(Object v, int depth) throws CheckpointFormatException {
        if (!isContainer(v)) {
            return 0;
        }
        Integer known = height.get(v);
        if (known != null) {
            if (depth + known > MAX_DEPTH) {
                throw tooDeep();
            }
            return known;
        }
        if (depth > MAX_DEPTH) {
            throw tooDeep();
        }
        if (onPath.put(v, Boolean.TRUE) != null) {
            throw new CheckpointFormatException(source + ": recursive structure (a container that contains itself)"
                    + " is not supported");
        }
        int h = 0;
        for (Object child : children(v)) {
            h = Math.max(h, 1 + height(child, depth + 1));
        }
        onPath.remove(v);
        height.put(v, h);
        return h;
    }

    private CheckpointFormatException tooDeep() {
        return new CheckpointFormatException(source + ": structure nested deeper than " + MAX_DEPTH + " levels");
    }

    private static boolean isContainer(Object v) {
        return v instanceof Map || v instanceof Iterable || v instanceof PickleTuple || v instanceof OpaqueValue
                || v instanceof Placeholder;
    }

    private static Iterable<?> children(Object v) {
        if (v instanceof PickleOrderedDict d) {
            java.util.ArrayList<Object> all = new java.util.ArrayList<>(d.keySet());
            all.addAll(d.values());
            all.addAll(d.attributes().values());
            return all;
        }
        if (v instanceof Map<?, ?> m) {
            java.util.ArrayList<Object> all = new java.util.ArrayList<>(m.keySet());
            all.addAll(m.values());
            return all;
        }
        if (v instanceof PickleTuple t) {
            return t.items();
        }
        if (v instanceof OpaqueValue o) {
            java.util.ArrayList<Object> all = new java.util.ArrayList<>(o.args());
            all.add(o.state());
            return all;
        }
        if (v instanceof Placeholder p) {
            java.util.ArrayList<Object> all = new java.util.ArrayList<>(p.args());
            all.add(p.state());
            return all;
        }
        if (v instanceof Set<?> s) {
            return s;
        }
        return (Iterable<?>) v;
    }
}
