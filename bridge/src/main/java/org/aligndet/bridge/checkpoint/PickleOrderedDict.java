package org.aligndet.bridge.checkpoint;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@code collections.OrderedDict}: insertion-ordered like any dict read from a pickle, plus the
 * instance attributes pickle sets on it with BUILD. Torch state dicts carry {@code _metadata}
 * (per-module versions) that way; {@link #metadata()} returns it, or {@code null}. When written
 * back, the attributes are written again, so {@code torch.load} sees the same {@code _metadata}.
 */
public class PickleOrderedDict extends LinkedHashMap<Object, Object> {
    private static final long serialVersionUID = 1L;

    private final LinkedHashMap<String, Object> attributes = new LinkedHashMap<>();

    public PickleOrderedDict() {
    }

    public PickleOrderedDict(Map<?, ?> entries) {
        super(entries);
    }

    /** The {@code _metadata} attribute torch sets on state dicts, or {@code null}. */
    public Object metadata() {
        return attributes.get("_metadata");
    }

    /** Sets the {@code _metadata} attribute ({@code null} removes it). */
    public void setMetadata(Object metadata) {
        if (metadata == null) {
            attributes.remove("_metadata");
        } else {
            attributes.put("_metadata", metadata);
        }
    }

    /** Instance attributes (the object's {@code __dict__}), mutable, in order. */
    public Map<String, Object> attributes() {
        return attributes;
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o);
    }

    @Override
    public int hashCode() {
        return super.hashCode();
    }
}
