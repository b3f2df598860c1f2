package org.aligndet.bridge.torch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/** What loading named weights into a graph did: loaded, missing (graph only), unexpected (file only), mismatched. */
public final class LoadReport {
    private final List<String> loaded;
    private final List<String> missing;
    private final List<String> unexpected;
    private final List<String> mismatched;

    private LoadReport(Builder b) {
        loaded = Collections.unmodifiableList(b.loaded);
        missing = Collections.unmodifiableList(b.missing);
        unexpected = Collections.unmodifiableList(b.unexpected);
        mismatched = Collections.unmodifiableList(b.mismatched);
    }

    public List<String> loaded() {
        return loaded;
    }

    public List<String> missing() {
        return missing;
    }

    public List<String> unexpected() {
        return unexpected;
    }

    /** Entries like {@code name: file [64, 3, 7, 7] vs graph [16, 3, 7, 7]}. */
    public List<String> mismatched() {
        return mismatched;
    }

    public boolean complete() {
        return missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty();
    }

    @Override
    public String toString() {
        return "loaded " + loaded.size() + ", missing " + missing.size() + ", unexpected " + unexpected.size()
                + ", shape mismatches " + mismatched.size();
    }

    static final class Builder {
        private final List<String> loaded = new ArrayList<>();
        private final List<String> missing = new ArrayList<>();
        private final List<String> unexpected = new ArrayList<>();
        private final List<String> mismatched = new ArrayList<>();

        void loaded(String n) {
            loaded.add(n);
        }

        void missing(String n) {
            missing.add(n);
        }

        void unexpected(String n) {
            unexpected.add(n);
        }

        void mismatched(String n, long[] file, long[] graph) {
            mismatched.add(n + ": file " + Arrays.toString(file) + " vs graph " + Arrays.toString(graph));
        }

        LoadReport build() {
            return new LoadReport(this);
        }
    }
}
