package org.aligndet.bridge.checkpoint;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An inert stand-in for an object of a class outside the whitelist, made only when a checkpoint is
 * read for import ({@link TorchCheckpoint#readForImport}): mmengine's {@code HistoryBuffer} in a
 * {@code message_hub}, an {@code argparse.Namespace}, a foreign optimiser or scheduler object. It
 * records the global's qualified name, the arguments the pickle would have called it with and the
 * state BUILD would have set, as plain data. Nothing is ever looked up, called or instantiated: the
 * name is only a string.
 */
public final class Placeholder {
    private final String global;
    private final boolean called;
    private final List<Object> args;
    private Object state;

    Placeholder(String global, boolean called, List<Object> args) {
        this.global = global;
        this.called = called;
        this.args = Collections.unmodifiableList(new ArrayList<>(args));
    }

    /** Qualified name of the class or function the pickle names, e.g. {@code argparse.Namespace}. */
    public String global() {
        return global;
    }

    /** Whether the pickle called it (an object), or only named it (a class or function as a value). */
    public boolean called() {
        return called;
    }

    /** The arguments of the call the pickle asked for, unmodifiable. */
    public List<Object> args() {
        return args;
    }

    /** The state BUILD would have set, or {@code null}. */
    public Object state() {
        return state;
    }

    void setState(Object state) {
        this.state = state;
    }

    @Override
    public String toString() {
        return "<placeholder " + global + ">";
    }
}
