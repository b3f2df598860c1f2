package org.aligndet.bridge.checkpoint;

/** Decodes the text arguments of protocol-0 STRING and UNICODE opcodes. */
final class Protocol0Text {
    private Protocol0Text() {
    }

    /** STRING: a Python repr in single or double quotes, with backslash escapes. */
    static String quoted(String source, String line) throws CheckpointFormatException {
        String s = line.strip();
        if (s.length() < 2 || s.charAt(0) != s.charAt(s.length() - 1)
                || (s.charAt(0) != '\'' && s.charAt(0) != '"')) {
            throw new CheckpointFormatException(source + ": STRING argument is not quoted: " + clip(line));
        }
        return unescape(source, s.substring(1, s.length() - 1), false);
    }

    /** UNICODE: raw-unicode-escape text, where only backslash-u escapes are special. */
    static String unicode(String source, String line) throws CheckpointFormatException {
        return unescape(source, line, true);
    }

    private static String unescape(String source, String s, boolean rawUnicode) throws CheckpointFormatException {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                b.append(c);
                continue;
            }
            char e = s.charAt(i + 1);
            if (rawUnicode && e != 'u' && e != 'U') {
                b.append(c);
                continue;
            }
            i++;
            switch (e) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case '\\', '\'', '"' -> b.append(e);
                case 'x' -> { b.appendCodePoint(hex(source, s, i + 1, 2)); i += 2; }
                case 'u' -> { b.appendCodePoint(hex(source, s, i + 1, 4)); i += 4; }
                case 'U' -> { b.appendCodePoint(hex(source, s, i + 1, 8)); i += 8; }
                default -> throw new CheckpointFormatException(source + ": unsupported escape '\\" + e
                        + "' in protocol-0 text " + clip(s));
            }
        }
        return b.toString();
    }

    private static int hex(String source, String s, int from, int n) throws CheckpointFormatException {
        try {
            int v = Integer.parseUnsignedInt(s.substring(from, from + n), 16);
            if (!Character.isValidCodePoint(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (RuntimeException ex) {
            throw new CheckpointFormatException(source + ": bad escape in protocol-0 text " + clip(s));
        }
    }

    static String clip(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
