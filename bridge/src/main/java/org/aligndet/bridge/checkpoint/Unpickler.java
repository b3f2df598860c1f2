package org.aligndet.bridge.checkpoint;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle virtual machine that builds plain Java values and executes nothing. It understands the
 * opcodes of protocols 0 to 5 except the extension registry and out-of-band buffers. Values map
 * to: dict → {@link LinkedHashMap}, list → {@link ArrayList}, tuple → {@link PickleTuple},
 * set → {@link LinkedHashSet}, frozenset → unmodifiable {@link Set}, str → {@link String},
 * int → {@link Long} (or {@link java.math.BigInteger} when it does not fit), float → {@link Double},
 * bool → {@link Boolean}, None → {@code null}, bytes → {@code byte[]}. Everything that would name
 * or call code (GLOBAL, STACK_GLOBAL, INST, OBJ, NEWOBJ, NEWOBJ_EX, REDUCE, BUILD, persistent ids)
 * goes to a {@link PickleHandler}, which refuses what it does not know.
 *
 * <p>Stack, memo and mark depth are bounded; declared lengths are checked against the bytes left
 * before anything is allocated; dict keys and set items must be hashable plain values.
 */
final class Unpickler {
    static final int MAX_STACK = 1 << 22;
    static final int MAX_MEMO = 1 << 22;
    static final int MAX_MARKS = 4096;
    private static final int MAX_KEY_NODES = 10_000;

    private final String source;
    private final PickleInput in;
    private final PickleHandler handler;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final int[] marks = new int[MAX_MARKS];
    private int markCount;
    private final HashMap<Long, Object> memo = new HashMap<>();

    Unpickler(String source, byte[] pickle, PickleHandler handler) {
        this.source = source;
        this.in = new PickleInput(source, pickle);
        this.handler = handler;
    }

    /** Runs the pickle to its STOP opcode and returns the value it leaves. */
    Object load() throws CheckpointFormatException {
        while (true) {
            if (in.atEnd()) {
                throw fail("truncated pickle (ended without a STOP opcode)");
            }
            int at = in.position();
            int op = in.u8();
            if (op == '.') {
                return pop();
            }
            step(op, at);
        }
    }

    private CheckpointFormatException fail(String message) {
        return new CheckpointFormatException(source + ": " + message);
    }

    private void step(int op, int at) throws CheckpointFormatException {
        switch (op) {
            case 0x80 -> {
                int proto = in.u8();
                if (proto > 5) {
                    throw fail("unsupported pickle protocol " + proto);
                }
            }
            case 0x95 -> in.i64(); // FRAME: a length hint only
            case '(' -> {
                if (markCount == MAX_MARKS) {
                    throw fail("pickle nests deeper than " + MAX_MARKS + " marks");
                }
                marks[markCount++] = stack.size();
            }
            case '0' -> {
                if (markCount > 0 && marks[markCount - 1] == stack.size()) {
                    markCount--;
                } else {
                    pop();
                }
            }
            case '1' -> popMark();
            case '2' -> push(peek());
            case 'N' -> push(null);
            case 0x88 -> push(Boolean.TRUE);
            case 0x89 -> push(Boolean.FALSE);
            case 'J' -> push((long) in.i32());
            case 'K' -> push((long) in.u8());
            case 'M' -> push((long) in.u16());
            case 0x8a -> push(PickleNumbers.fromBytes(source, in, in.u8()));
            case 0x8b -> push(PickleNumbers.fromBytes(source, in, in.i32()));
            case 'I' -> push(PickleNumbers.intLine(source, in.line()));
            case 'L' -> push(PickleNumbers.longLine(source, in.line()));
            case 'F' -> push(PickleNumbers.floatLine(source, in.line()));
            case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.i64())));
            case 'X' -> push(in.utf8(in.u32()));
            case 0x8c -> push(in.utf8(in.u8()));
            case 0x8d -> push(in.utf8(in.i64()));
            case 'V' -> push(Protocol0Text.unicode(source, in.line()));
            case 'S' -> push(Protocol0Text.quoted(source, in.line()));
            case 'T' -> push(new String(in.bytes(in.i32()), StandardCharsets.UTF_8));
            case 'U' -> push(new String(in.bytes(in.u8()), StandardCharsets.UTF_8));
            case 'B' -> push(in.bytes(in.u32()));
            case 'C' -> push(in.bytes(in.u8()));
            case 0x8e, 0x96 -> push(in.bytes(in.i64()));
            case ')' -> push(new PickleTuple(List.of()));
            case 0x85 -> push(tupleOfTop(1));
            case 0x86 -> push(tupleOfTop(2));
            case 0x87 -> push(tupleOfTop(3));
            case 't' -> push(new PickleTuple(popMark()));
            case ']' -> push(new ArrayList<>());
            case 'l' -> push(new ArrayList<>(popMark()));
            case '}' -> push(new LinkedHashMap<Object, Object>());
            case 'd' -> {
                LinkedHashMap<Object, Object> d = new LinkedHashMap<>();
                putPairs(d, popMark());
                push(d);
            }
            case 0x8f -> push(new LinkedHashSet<>());
            case 0x91 -> {
                LinkedHashSet<Object> s = new LinkedHashSet<>();
                addAll(s, popMark());
                push(Collections.unmodifiableSet(s));
            }
            case 'a' -> {
                Object v = pop();
                asList(peek(), "APPEND").add(v);
            }
            case 'e' -> {
                List<Object> items = popMark();
                asList(peek(), "APPENDS").addAll(items);
            }
            case 's' -> {
                Object v = pop();
                Object k = pop();
                putPairs(asMap(peek(), "SETITEM"), pair(k, v));
            }
            case 'u' -> {
                List<Object> items = popMark();
                putPairs(asMap(peek(), "SETITEMS"), items);
            }
            case 0x90 -> {
                List<Object> items = popMark();
                Object target = peek();
                if (!(target instanceof LinkedHashSet)) {
                    throw fail("ADDITEMS on a " + typeName(target) + " at offset " + at);
                }
                @SuppressWarnings("unchecked")
                Set<Object> set = (Set<Object>) target;
                addAll(set, items);
            }
            case 'p' -> memoPut(parseIndex(in.line()));
            case 'q' -> memoPut(in.u8());
            case 'r' -> memoPut(in.u32());
            case 0x94 -> memoPut(memo.size());
            case 'g' -> memoGet(parseIndex(in.line()));
            case 'h' -> memoGet(in.u8());
            case 'j' -> memoGet(in.u32());
            case 'c' -> {
                String module = in.line();
                String name = in.line();
                push(handler.global(module, name));
            }
            case 0x93 -> {
                Object name = pop();
                Object module = pop();
                if (!(module instanceof String) || !(name instanceof String)) {
                    throw fail("STACK_GLOBAL needs two strings, got " + typeName(module) + " and "
                            + typeName(name) + " at offset " + at);
                }
                push(handler.global((String) module, (String) name));
            }
            case 'R' -> {
                Object args = pop();
                Object callable = pop();
                push(handler.reduce(callable, tupleItems(args, "REDUCE")));
            }
            case 0x81 -> {
                Object args = pop();
                Object cls = pop();
                push(handler.instantiate(cls, tupleItems(args, "NEWOBJ"), Map.of(), "NEWOBJ"));
            }
            case 0x92 -> {
                Object kwargs = pop();
                Object args = pop();
                Object cls = pop();
                push(handler.instantiate(cls, tupleItems(args, "NEWOBJ_EX"), asMap(kwargs, "NEWOBJ_EX"),
                        "NEWOBJ_EX"));
            }
            case 'o' -> {
                List<Object> items = popMark();
                if (items.isEmpty()) {
                    throw fail("OBJ without a class at offset " + at);
                }
                push(handler.instantiate(items.get(0), items.subList(1, items.size()), Map.of(), "OBJ"));
            }
            case 'i' -> {
                String module = in.line();
                String name = in.line();
                Object cls = handler.global(module, name);
                push(handler.instantiate(cls, popMark(), Map.of(), "INST"));
            }
            case 'b' -> {
                Object state = pop();
                handler.build(peek(), state);
            }
            case 'Q' -> push(handler.persistentLoad(pop()));
            case 'P' -> push(handler.persistentLoad(in.line()));
            case 0x82, 0x83, 0x84 -> throw fail("pickle uses the extension registry (EXT opcodes), "
                    + "which is not supported, at offset " + at);
            case 0x97, 0x98 -> throw fail("pickle uses out-of-band buffers, which are not supported, at offset " + at);
            default -> throw fail(String.format("unknown pickle opcode 0x%02x at offset %d", op, at));
        }
    }

    private static List<Object> pair(Object k, Object v) {
        ArrayList<Object> p = new ArrayList<>(2);
        p.add(k);
        p.add(v);
        return p;
    }

    private void push(Object v) throws CheckpointFormatException {
        if (stack.size() >= MAX_STACK) {
            throw fail("pickle stack grows beyond " + MAX_STACK + " entries");
        }
        stack.add(v);
    }

    private Object pop() throws CheckpointFormatException {
        int floor = markCount > 0 ? marks[markCount - 1] : 0;
        if (stack.size() <= floor) {
            throw fail("pickle stack underflow at offset " + (in.position() - 1));
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() throws CheckpointFormatException {
        int floor = markCount > 0 ? marks[markCount - 1] : 0;
        if (stack.size() <= floor) {
            throw fail("pickle stack underflow at offset " + (in.position() - 1));
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() throws CheckpointFormatException {
        if (markCount == 0) {
            throw fail("pickle pops a MARK that was never set, at offset " + (in.position() - 1));
        }
        int from = marks[--markCount];
        List<Object> tail = stack.subList(from, stack.size());
        ArrayList<Object> items = new ArrayList<>(tail);
        tail.clear();
        return items;
    }

    private PickleTuple tupleOfTop(int n) throws CheckpointFormatException {
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) {
            items[i] = pop();
        }
        return PickleTuple.of(items);
    }

    private List<Object> tupleItems(Object args, String opcode) throws CheckpointFormatException {
        if (args instanceof PickleTuple t) {
            return t.items();
        }
        throw fail(opcode + " needs an argument tuple, got " + typeName(args));
    }

    @SuppressWarnings("unchecked")
    private List<Object> asList(Object target, String opcode) throws CheckpointFormatException {
        if (target instanceof ArrayList) {
            return (List<Object>) target;
        }
        throw fail(opcode + " on a " + typeName(target) + " (only lists are appended to)");
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> asMap(Object target, String opcode) throws CheckpointFormatException {
        if (target instanceof LinkedHashMap) {
            return (Map<Object, Object>) target;
        }
        throw fail(opcode + " on a " + typeName(target) + " (only dicts take items)");
    }

    private void putPairs(Map<Object, Object> map, List<Object> items) throws CheckpointFormatException {
        if (items.size() % 2 != 0) {
            throw fail("odd number of items for a dict");
        }
        for (int i = 0; i < items.size(); i += 2) {
            Object key = items.get(i);
            checkHashable(key);
            map.put(key, items.get(i + 1));
        }
    }

    private void addAll(Set<Object> set, List<Object> items) throws CheckpointFormatException {
        for (Object item : items) {
            checkHashable(item);
            set.add(item);
        }
    }

    /** Dict keys and set items must be plain immutable values (as Python requires hashability). */
    private void checkHashable(Object key) throws CheckpointFormatException {
        ArrayList<Object> todo = new ArrayList<>();
        todo.add(key);
        int seen = 0;
        while (!todo.isEmpty()) {
            Object k = todo.remove(todo.size() - 1);
            if (++seen > MAX_KEY_NODES) {
                throw fail("dict key or set item with more than " + MAX_KEY_NODES + " parts");
            }
            if (k instanceof PickleTuple t) {
                todo.addAll(t.items());
            } else if (k instanceof List || k instanceof Map || k instanceof Set) {
                throw fail("unhashable " + typeName(k) + " used as a dict key or set item");
            }
        }
    }

    private void memoPut(long index) throws CheckpointFormatException {
        if (memo.size() >= MAX_MEMO && !memo.containsKey(index)) {
            throw fail("pickle memo grows beyond " + MAX_MEMO + " entries");
        }
        memo.put(index, peek());
    }

    private void memoGet(long index) throws CheckpointFormatException {
        if (!memo.containsKey(index)) {
            throw fail("pickle reads memo entry " + index + " that was never stored");
        }
        push(memo.get(index));
    }

    private long parseIndex(String line) throws CheckpointFormatException {
        try {
            return Long.parseLong(line.trim());
        } catch (NumberFormatException e) {
            throw fail("bad memo index '" + line + "'");
        }
    }

    static String typeName(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof PickleTuple) {
            return "tuple";
        }
        if (o instanceof List) {
            return "list";
        }
        if (o instanceof Map) {
            return "dict";
        }
        if (o instanceof Set) {
            return "set";
        }
        if (o instanceof GlobalRef g) {
            return "global '" + g.qualifiedName() + "'";
        }
        return o.getClass().getSimpleName();
    }
}
