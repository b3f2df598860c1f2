package org.aligndet.bridge.tensor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.aligndet.bridge.io.FileBytes;

/**
 * Reads a tensor bundle: {@code STEM.tensors.json} (index of name, dtype, shape, offset, nbytes) plus
 * {@code STEM.tensors.bin} (raw little-endian data). The model-specs generator writes fixtures this way.
 */
public final class TensorBundle {
    private TensorBundle() {
    }

    /** Reads every tensor, in index order. Errors name the file and the offending entry. */
    public static Map<String, HostTensor> read(Path stem) throws IOException {
        Path index = Path.of(stem + ".tensors.json");
        Path bin = Path.of(stem + ".tensors.bin");
        JsonNode root = new ObjectMapper().readTree(index.toFile());
        if (!"aligndet-tensors".equals(root.path("format").asText())) {
            throw new IOException(index + ": not a tensor bundle index (format field is '" + root.path("format").asText() + "')");
        }
        byte[] data = FileBytes.readAll(bin);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (JsonNode e : root.path("tensors")) {
            String name = e.path("name").asText();
            DType dtype = DType.parse(e.path("dtype").asText());
            long[] shape = new long[e.path("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.path("shape").get(i).asLong();
            }
            long offset = e.path("offset").asLong();
            long nbytes = e.path("nbytes").asLong();
            if (offset < 0 || nbytes < 0 || offset + nbytes > data.length
                    || nbytes != HostTensor.numel(shape) * dtype.bytes()) {
                throw new IOException(bin + ": entry '" + name + "' (" + dtype.shortName() + Arrays.toString(shape)
                        + " at " + offset + "+" + nbytes + ") does not fit the " + data.length + "-byte file");
            }
            out.put(name, new HostTensor(dtype, shape, Arrays.copyOfRange(data, (int) offset, (int) (offset + nbytes))));
        }
        return out;
    }
}
