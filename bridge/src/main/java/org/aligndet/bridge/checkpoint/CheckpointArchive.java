package org.aligndet.bridge.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.aligndet.bridge.tensor.DType;

/**
 * The zip side of a torch checkpoint: checks every entry name (no {@code ..} segments, no
 * absolute or drive-letter names, no backslashes, no duplicates), finds the one top folder that
 * holds {@code data.pkl}, and serves {@code data/<key>} entries as storages. Nothing is ever
 * extracted to disk. Entries must be stored uncompressed, as torch writes them, so no declared
 * size can exceed the bytes actually in the file.
 */
final class CheckpointArchive implements AutoCloseable, TorchGlobals.StorageSource {
    private final String source;
    private final ZipFile zip;
    private final String top;
    private final Map<String, ZipEntry> entries;
    private final Map<String, StorageRef> storages = new HashMap<>();

    private CheckpointArchive(String source, ZipFile zip, String top, Map<String, ZipEntry> entries) {
        this.source = source;
        this.zip = zip;
        this.top = top;
        this.entries = entries;
    }

    static CheckpointArchive open(Path file, String source) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new CheckpointFormatException(source + ": truncated or corrupt zip archive (" + e.getMessage() + ")", e);
        }
        try {
            long fileSize = Files.size(file);
            Map<String, ZipEntry> entries = new HashMap<>();
            String top = null;
            Enumeration<? extends ZipEntry> all = zip.entries();
            while (all.hasMoreElements()) {
                ZipEntry e = all.nextElement();
                String name = e.getName();
                checkName(source, name);
                if (entries.put(name, e) != null) {
                    throw new CheckpointFormatException(source + ": duplicate zip entry '" + clip(name) + "'");
                }
                if (e.getMethod() != ZipEntry.STORED && !e.isDirectory()) {
                    throw new CheckpointFormatException(source + ": zip entry '" + clip(name)
                            + "' is compressed; torch checkpoints store entries uncompressed");
                }
                if (e.getSize() < 0 || e.getSize() > fileSize) {
                    throw new CheckpointFormatException(source + ": zip entry '" + clip(name) + "' declares "
                            + e.getSize() + " bytes, which exceeds the " + fileSize + "-byte file");
                }
                int slash = name.indexOf('/');
                if (slash > 0 && name.substring(slash).equals("/data.pkl")) {
                    if (top != null) {
                        throw new CheckpointFormatException(source + ": more than one data.pkl in the archive");
                    }
                    top = name.substring(0, slash);
                }
            }
            if (top == null) {
                throw new CheckpointFormatException(source + ": zip archive has no <top>/data.pkl; not a torch checkpoint");
            }
            return new CheckpointArchive(source, zip, top, entries);
        } catch (IOException | RuntimeException e) {
            zip.close();
            throw e;
        }
    }

    private static void checkName(String source, String name) throws CheckpointFormatException {
        String problem = null;
        if (name.startsWith("/") || name.startsWith("\\")) {
            problem = "absolute path";
        } else if (name.length() > 1 && name.charAt(1) == ':') {
            problem = "drive letter";
        } else if (name.contains("\\")) {
            problem = "backslash";
        } else if (name.isEmpty() || name.indexOf('\0') >= 0) {
            problem = "empty or NUL in name";
        } else {
            for (String segment : name.split("/", -1)) {
                if (segment.equals("..")) {
                    problem = "contains ../";
                    break;
                }
            }
        }
        if (problem != null) {
            throw new CheckpointFormatException(source + ": unsafe zip entry name '" + clip(name) + "' ("
                    + problem + ")");
        }
    }

    private static String clip(String s) {
        return Protocol0Text.clip(s);
    }

    /** The bytes of {@code <top>/data.pkl}. */
    byte[] pickle() throws CheckpointFormatException {
        return read(top + "/data.pkl");
    }

    @Override
    public StorageRef storage(String key, DType dtype, long numel) throws CheckpointFormatException {
        StorageRef known = storages.get(key);
        if (known != null) {
            if (known.dtype() != dtype || known.numel() != numel) {
                throw new CheckpointFormatException(source + ": storage '" + clip(key) + "' is declared as both "
                        + known + " and " + dtype.shortName() + " x " + numel);
            }
            return known;
        }
        ZipEntry e = entries.get(top + "/data/" + key);
        if (e == null) {
            throw new CheckpointFormatException(source + ": storage '" + clip(key) + "' has no data entry "
                    + top + "/data/" + clip(key));
        }
        long have = e.getSize();
        if (numel > have / dtype.bytes()) {
            throw new CheckpointFormatException(source + ": storage '" + clip(key) + "' declares " + numel + " "
                    + dtype.shortName() + " elements, which exceeds the " + have + " bytes of its data entry");
        }
        StorageRef ref = new StorageRef(key, dtype, numel, this::readStorage);
        storages.put(key, ref);
        return ref;
    }

    private byte[] readStorage(String key) throws CheckpointFormatException {
        return read(top + "/data/" + key);
    }

    private byte[] read(String name) throws CheckpointFormatException {
        ZipEntry e = entries.get(name);
        if (e == null) {
            throw new CheckpointFormatException(source + ": missing zip entry '" + clip(name) + "'");
        }
        if (e.getSize() > TensorRebuild.MAX_BYTES) {
            throw new CheckpointFormatException(source + ": zip entry '" + clip(name) + "' of " + e.getSize()
                    + " bytes exceeds the " + TensorRebuild.MAX_BYTES + "-byte limit");
        }
        try (InputStream in = zip.getInputStream(e)) {
            byte[] data = in.readNBytes((int) e.getSize());
            if (data.length != e.getSize()) {
                throw new CheckpointFormatException(source + ": zip entry '" + clip(name) + "' is truncated ("
                        + data.length + " of " + e.getSize() + " bytes)");
            }
            return data;
        } catch (ZipException ex) {
            throw new CheckpointFormatException(source + ": zip entry '" + clip(name) + "' is truncated or corrupt ("
                    + ex.getMessage() + ")", ex);
        } catch (IOException ex) {
            throw new CheckpointFormatException(source + ": cannot read zip entry '" + clip(name) + "': "
                    + ex.getMessage(), ex);
        }
    }

    @Override
    public void close() throws IOException {
        zip.close();
    }
}
