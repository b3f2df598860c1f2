package org.aligndet.bridge.checkpoint;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A harmless object from a whitelisted global that this package keeps as data rather than
 * building, e.g. a {@code numpy.dtype}, a numpy array or a {@code torch.device}. It records the
 * global's name, the arguments it was called with and the state BUILD gave it. Nothing in it is
 * ever executed.
 */
public final class OpaqueValue {
    private final String global;
    private final List<Object> args;
    private Object state;

    OpaqueValue(String global, List<Object> args) {
        this.global = global;
        this.args = Collections.unmodifiableList(new ArrayList<>(args));
    }

    /** Qualified name of the global, e.g. {@code numpy.dtype}. */
    public String global() {
        return global;
    }

    /** The arguments of the call that made it, unmodifiable. */
    public List<Object> args() {
        return args;
    }

    /** The state set by BUILD, or {@code null}. */
    public Object state() {
        return state;
    }

    void setState(Object state) {
        this.state = state;
    }

    @Override
    public String toString() {
        return global + args;
    }
}
