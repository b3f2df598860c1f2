package org.aligndet.bridge.checkpoint;

import java.util.List;
import java.util.Map;

/**
 * What the {@link Unpickler} delegates to: everything that, in Python, would look up or call
 * code. An implementation decides which globals exist at all and what "calling" one means; it must
 * never execute anything named by the pickle. Every method throws {@link CheckpointFormatException}
 * for anything it does not allow.
 */
interface PickleHandler {
    /** The value pushed for GLOBAL, STACK_GLOBAL and the class of INST; refuses unknown names. */
    Object global(String module, String name) throws CheckpointFormatException;

    /** REDUCE: {@code callable(*args)}. */
    Object reduce(Object callable, List<Object> args) throws CheckpointFormatException;

    /** NEWOBJ, NEWOBJ_EX, OBJ and INST: {@code cls.__new__(cls, *args, **kwargs)} and init. */
    Object instantiate(Object cls, List<Object> args, Map<Object, Object> kwargs, String opcode)
            throws CheckpointFormatException;

    /** BUILD: {@code target.__setstate__(state)}; returns nothing, the target stays on the stack. */
    void build(Object target, Object state) throws CheckpointFormatException;

    /** BINPERSID / PERSID: the object a persistent id stands for. */
    Object persistentLoad(Object pid) throws CheckpointFormatException;
}
