package org.aligndet.bridge.io;

/**
 * A file name read from a file that names other files (a COCO {@code file_name}, a VOC
 * {@code <filename>}, an ONNX tensor's external data {@code location}) is resolved against a
 * folder, so it must stay inside it: relative, without {@code ..} segments. Otherwise a hostile
 * file could make a reader open any file on the machine.
 */
public final class RelativeName {
    private RelativeName() {
    }

    /** Why {@code name} may not be resolved against a folder ("is an absolute path", ...), or null when it may. */
    public static String problem(String name) {
        String n = name.replace('\\', '/');
        if (n.startsWith("/") || n.matches("^[A-Za-z]:.*")) {
            return "is an absolute path";
        }
        for (String segment : n.split("/")) {
            if (segment.equals("..")) {
                return "leaves its folder ('..')";
            }
        }
        return null;
    }
}
