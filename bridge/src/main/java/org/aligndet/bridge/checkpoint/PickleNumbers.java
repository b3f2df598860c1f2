package org.aligndet.bridge.checkpoint;

import java.math.BigInteger;

/** Decodes pickle integers (LONG1/LONG4 bytes, protocol-0 INT/LONG text) and protocol-0 floats. */
final class PickleNumbers {
    static final int MAX_LONG_BYTES = 1024;

    private PickleNumbers() {
    }

    private static CheckpointFormatException fail(String source, String message) {
        return new CheckpointFormatException(source + ": " + message);
    }

    static Object fromBytes(String source, PickleInput in, int n) throws CheckpointFormatException {
        if (n < 0 || n > MAX_LONG_BYTES) {
            throw fail(source, "integer of " + n + " bytes is out of range");
        }
        if (n == 0) {
            return 0L;
        }
        byte[] le = in.bytes(n);
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) {
            be[i] = le[n - 1 - i];
        }
        return narrow(new BigInteger(be));
    }

    private static Object narrow(BigInteger v) {
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    static Object intLine(String source, String line) throws CheckpointFormatException {
        if (line.equals("00")) {
            return Boolean.FALSE;
        }
        if (line.equals("01")) {
            return Boolean.TRUE;
        }
        return longLine(source, line);
    }

    static Object longLine(String source, String line) throws CheckpointFormatException {
        String s = line.endsWith("L") ? line.substring(0, line.length() - 1) : line;
        if (s.length() > 2 * MAX_LONG_BYTES) {
            throw fail(source, "integer literal too long");
        }
        try {
            return narrow(new BigInteger(s.trim()));
        } catch (NumberFormatException e) {
            throw fail(source, "bad integer literal '" + line + "'");
        }
    }

    static Double floatLine(String source, String line) throws CheckpointFormatException {
        String s = line.trim();
        switch (s) {
            case "nan": return Double.NaN;
            case "inf": return Double.POSITIVE_INFINITY;
            case "-inf": return Double.NEGATIVE_INFINITY;
            default:
                try {
                    return Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    throw fail(source, "bad float literal '" + line + "'");
                }
        }
    }
}
