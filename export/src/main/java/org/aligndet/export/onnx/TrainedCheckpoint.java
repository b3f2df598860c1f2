package org.aligndet.export.onnx;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.checkpoint.CheckpointFormatException;
import org.aligndet.bridge.checkpoint.PickleTuple;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.tensor.HostTensor;

/**
 * A trained detector checkpoint as export sees it: the state dict (graph parameter names), the
 * {@code meta} dict, and the file's sha256.
 *
 * <p>Layouts read: this project's ({@code {'state_dict', 'meta': {'spec', 'stage', 'classes',
 * 'recipe', 'iter', 'aligndet_pretrained', ...}, ...}}), mmdetection's ({@code state_dict} +
 * {@code meta} with {@code CLASSES} or {@code dataset_meta.classes}), and a bare state dict (no
 * meta). Other top-level entries ({@code projector}, optimizer and momentum state) are ignored.
 *
 * @param file       where it was read from
 * @param stateDict  parameter name to tensor, in file order
 * @param meta       the {@code meta} dict, empty when there is none
 * @param sha256     lower-case hex digest of the file's bytes
 */
public record TrainedCheckpoint(Path file, Map<String, HostTensor> stateDict, Map<String, Object> meta, String sha256) {

    public TrainedCheckpoint {
        stateDict = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(stateDict));
        meta = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(meta));
    }

    /**
     * Reads a checkpoint.
     *
     * @throws ExportException naming the file when it cannot be read or holds no state dict
     */
    public static TrainedCheckpoint read(Path file) {
        Object root;
        try {
            root = TorchCheckpoint.read(file);
        } catch (CheckpointFormatException e) {
            throw new ExportException(file + ": not a readable torch checkpoint: " + e.getMessage().replace(file + ": ", ""), e);
        } catch (IOException e) {
            throw new ExportException(file + ": cannot read checkpoint: " + e.getMessage(), e);
        }
        Map<String, HostTensor> sd;
        try {
            sd = TorchCheckpoint.stateDict(root);
        } catch (IllegalArgumentException e) {
            throw new ExportException(file + ": " + e.getMessage(), e);
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        if (root instanceof Map<?, ?> m && m.get("meta") instanceof Map<?, ?> mm) {
            mm.forEach((k, v) -> meta.put(String.valueOf(k), v));
        }
        return new TrainedCheckpoint(file, sd, meta, sha256(file));
    }

    /** Hex sha256 of a file's bytes. */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new ExportException(file + ": cannot read: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Class names from the meta: {@code classes}, else mmdetection's {@code CLASSES}, else
     * {@code dataset_meta.classes}; null when none is there.
     */
    public List<String> classes() {
        Object c = meta.get("classes");
        if (c == null) {
            c = meta.get("CLASSES");
        }
        if (c == null && meta.get("dataset_meta") instanceof Map<?, ?> dm) {
            c = dm.get("classes");
        }
        if (c instanceof PickleTuple t) {
            c = t.items();
        }
        if (!(c instanceof List<?> list)) {
            return null;
        }
        List<String> out = new ArrayList<>();
        list.forEach(o -> out.add(String.valueOf(o)));
        return out;
    }

    /**
     * The spec the checkpoint was trained with, as {@code ModelSpecs} takes it: the {@code spec_file} of
     * the resolved settings in {@code meta.config} when that file exists (a spec of your own), else
     * {@code meta.spec} (a name of model-specs/); null when the meta names none.
     */
    public String specRef() {
        String config = metaText("config");
        if (config != null) {
            try {
                String f = new ObjectMapper().readTree(config).path("spec_file").asText("");
                if (!f.isEmpty() && Files.isRegularFile(Path.of(f))) {
                    return f;
                }
            } catch (IOException | java.nio.file.InvalidPathException e) {
                // an unreadable config: the spec's name below
            }
        }
        return metaText("spec");
    }

    /** A meta entry as text, or null when absent or None. */
    public String metaText(String key) {
        Object v = meta.get(key);
        return v == null ? null : String.valueOf(v);
    }

    /** A meta entry as a whole number, or null when absent or not a number. */
    public Long metaLong(String key) {
        return meta.get(key) instanceof Number n ? n.longValue() : null;
    }

    /** A meta entry as a boolean, or null when absent or not a boolean. */
    public Boolean metaBoolean(String key) {
        return meta.get(key) instanceof Boolean b ? b : null;
    }
}
