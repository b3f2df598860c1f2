package org.aligndet.bridge.checkpoint;

import org.aligndet.bridge.tensor.DType;

/**
 * A torch storage named by a persistent id: its key in {@code data/}, element type and element
 * count. The count has already been checked against the size of the data entry when this exists;
 * the bytes themselves are read on first use and then kept.
 */
final class StorageRef {
    /** Reads the bytes of one data entry. */
    interface Loader {
        byte[] load(String key) throws CheckpointFormatException;
    }

    private final String key;
    private final DType dtype;
    private final long numel;
    private final Loader loader;
    private byte[] bytes;

    StorageRef(String key, DType dtype, long numel, Loader loader) {
        this.key = key;
        this.dtype = dtype;
        this.numel = numel;
        this.loader = loader;
    }

    String key() {
        return key;
    }

    DType dtype() {
        return dtype;
    }

    long numel() {
        return numel;
    }

    byte[] bytes() throws CheckpointFormatException {
        if (bytes == null) {
            bytes = loader.load(key);
        }
        return bytes;
    }

    @Override
    public String toString() {
        return "storage '" + key + "' (" + dtype.shortName() + " x " + numel + ")";
    }
}
