package org.aligndet.bridge.checkpoint;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A Python tuple: an immutable list of values that may contain {@code null} (None).
 *
 * @param items the elements, unmodifiable
 */
public record PickleTuple(List<Object> items) {
    public PickleTuple {
        items = Collections.unmodifiableList(new ArrayList<>(items));
    }

    public static PickleTuple of(Object... items) {
        return new PickleTuple(Arrays.asList(items));
    }

    public int size() {
        return items.size();
    }

    public Object get(int i) {
        return items.get(i);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < items.size(); i++) {
            b.append(i > 0 ? ", " : "").append(items.get(i));
        }
        return b.append(items.size() == 1 ? ",)" : ")").toString();
    }
}
